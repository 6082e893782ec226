// autocannon ships no type declarations; this covers what the benchmarks use.
declare module 'autocannon' {
  namespace autocannon {
    interface Result {
      requests: { average: number; total: number };
      latency: { p50: number; p99: number; average: number };
      '2xx': number;
      non2xx: number;
      errors: number;
    }
  }
  function autocannon(opts: Record<string, unknown>): Promise<autocannon.Result>;
  export default autocannon;
}
