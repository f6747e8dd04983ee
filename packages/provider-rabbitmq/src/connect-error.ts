import { ProviderError } from '@jobservice/core';
import { redactUrl } from './options.js';

/** Starts every error message and log line of this provider. */
export const PROVIDER = 'rabbitmq';

/**
 * Turns a failed connection attempt into a {@link ProviderError} that names
 * the broker (password hidden), what went wrong and the fix.
 */
export function connectError(error: unknown, url: string, timeoutMs: number): ProviderError {
  const where = redactUrl(url);
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const hostPort = parsed
    ? `${parsed.hostname}:${parsed.port || (parsed.protocol === 'amqps:' ? 5671 : 5672)}`
    : where;
  let text: string;
  if (code === 'ECONNREFUSED') {
    text = `nothing accepts connections at ${hostPort} (ECONNREFUSED); start RabbitMQ there, or point options.url / AMQP_URL at your broker`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    text = `cannot resolve the host of ${where} (${String(code)}); fix the host in options.url / AMQP_URL`;
  } else if (/ACCESS[-_]REFUSED|\b403\b/.test(message)) {
    const user = parsed ? decodeURIComponent(parsed.username || 'guest') : 'guest';
    text = `the broker at ${hostPort} refused the login of user '${user}' (ACCESS_REFUSED); fix the user and password in options.url / AMQP_URL (amqp://user:password@host:5672/vhost), and note that 'guest' may only log in from localhost`;
  } else if (/NOT[-_]ALLOWED|\b530\b|vhost|Expected ConnectionOpenOk/i.test(message)) {
    const vhost = parsed ? decodeURIComponent(parsed.pathname.slice(1)) || '/' : '?';
    text = `the broker at ${hostPort} does not let this user into vhost '${vhost}' (it is missing, or the user has no permission there); create it (rabbitmqctl add_vhost, set_permissions) or fix the vhost in options.url / AMQP_URL`;
  } else if (code === 'TIMEOUT' || /ETIMEDOUT|timed out/i.test(message)) {
    text = `no AMQP handshake from ${hostPort} within ${timeoutMs} ms; check that RabbitMQ listens there (and the port is AMQP, usually 5672), or raise options.connectTimeoutMs`;
  } else {
    text = `cannot connect to ${where}: ${message}; check options.url / AMQP_URL and that the broker is running`;
  }
  return new ProviderError(PROVIDER, text, { cause: error });
}

/** A timeout error the connect path raises itself (translated by {@link connectError}). */
export function timeoutError(ms: number): Error {
  return Object.assign(new Error(`connect timed out after ${ms} ms`), { code: 'TIMEOUT' });
}
