/**
 * Pod IPs from the node's /24 pod CIDR, like the host-local IPAM plugin kind uses: `.1` is the
 * bridge gateway, pods get `.2`-`.254`, handed out round-robin so a just-freed address is not
 * reused at once (a stale endpoint would otherwise point at a new pod).
 */
export class PodIpAllocator {
  private used = new Map<string, string>(); // ip -> pod uid
  private next = 2;

  constructor(private readonly prefix: string) {}

  /** `10.244.<nodeIndex>.0/24`. */
  static forNode(nodeIndex: number): PodIpAllocator {
    return new PodIpAllocator(`10.244.${nodeIndex}.`);
  }

  get cidr(): string {
    return `${this.prefix}0/24`;
  }

  /** An address for the pod (the same one if it already has one); throws when the range is full. */
  allocate(uid: string): string {
    for (const [ip, owner] of this.used) if (owner === uid) return ip;
    for (let i = 0; i < 253; i++) {
      const host = 2 + ((this.next - 2 + i) % 253);
      const ip = `${this.prefix}${host}`;
      if (!this.used.has(ip)) {
        this.used.set(ip, uid);
        this.next = host + 1 > 254 ? 2 : host + 1;
        return ip;
      }
    }
    throw new Error(`failed to allocate for range 0: no IP addresses available in range set: ${this.prefix}1-${this.prefix}254`);
  }

  /** Keeps the address a running pod already had before a kubelet restart. */
  reserve(uid: string, ip: string): boolean {
    if (!ip.startsWith(this.prefix)) return false;
    const owner = this.used.get(ip);
    if (owner && owner !== uid) return false;
    this.used.set(ip, uid);
    return true;
  }

  release(uid: string): void {
    for (const [ip, owner] of this.used) if (owner === uid) this.used.delete(ip);
  }
}
