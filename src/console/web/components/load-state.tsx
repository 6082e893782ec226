// What a page shows instead of (or above) its data: loading, a failed load, a sign-in prompt.
import type { ApiError } from '../api.ts';

export function LoadState(props: { error?: ApiError; hasData: boolean; what: string }) {
  const { error } = props;
  if (error?.status === 401) {
    return (
      <p class="notice" role="alert">
        Reading the {props.what} needs a signed-in user. <a href="/sign-in">Sign in</a>
      </p>
    );
  }
  if (error) {
    return (
      <p class="notice error" role="alert">
        {props.hasData ? `Could not refresh the ${props.what}: ` : `Could not load the ${props.what}: `}
        {error.message}
      </p>
    );
  }
  if (!props.hasData) return <p class="muted loading">Loading the {props.what}…</p>;
  return null;
}
