// A status as a coloured label. The word itself is always shown: colour only repeats it.
type Tone = 'ok' | 'bad' | 'warn' | 'active' | 'neutral';

const TONES: Record<string, Tone> = {
  completed: 'ok',
  remediated: 'ok',
  succeeded: 'ok',
  success: 'ok',
  approved: 'ok',
  sent: 'ok',
  ready: 'ok',
  healthy: 'ok',
  failed: 'bad',
  failure: 'bad',
  error: 'bad',
  timedout: 'bad',
  rejected: 'bad',
  firing: 'bad',
  awaitingapproval: 'warn',
  blocked: 'warn',
  expired: 'warn',
  manualreviewrequired: 'warn',
  verificationtimedout: 'warn',
  partiallysent: 'warn',
  processing: 'active',
  analyzing: 'active',
  investigating: 'active',
  executing: 'active',
  running: 'active',
  verifying: 'active',
  assessing: 'active',
  sending: 'active',
  pending: 'neutral',
};

export function toneOf(value: string | undefined): Tone {
  return TONES[(value ?? '').toLowerCase().replace(/[^a-z]/g, '')] ?? 'neutral';
}

export function Badge(props: { value?: string; tone?: Tone; testid?: string; empty?: string }) {
  const text = props.value || props.empty || '—';
  return (
    <span class={`badge tone-${props.value ? (props.tone ?? toneOf(props.value)) : 'none'}`} data-testid={props.testid}>
      {text}
    </span>
  );
}
