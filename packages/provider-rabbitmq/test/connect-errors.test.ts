import { createServer, type Server } from 'node:net';
import { InvalidInputError, ProviderError } from '@jobservice/core';
import { afterEach, describe, expect, it } from 'vitest';
import { RabbitMqQueueProvider } from '../src/index.js';
import { amqpUrl, brokerSkipReason } from './helpers/broker.js';

/** The test broker's URL with other credentials or vhost. */
function withUrl(change: (url: URL) => void): string {
  const url = new URL(amqpUrl());
  change(url);
  return url.toString();
}

describe('connecting', () => {
  it('a refused connection (port 1) is a ProviderError naming rabbitmq and the fix', async () => {
    const error = await RabbitMqQueueProvider.connect({
      url: 'amqp://guest:guest@127.0.0.1:1',
      connectTimeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'PROVIDER_FAILURE' });
    expect((error as Error).message).toMatch(/^rabbitmq: nothing accepts connections at 127\.0\.0\.1:1/);
    expect((error as Error).message).toContain('AMQP_URL');
  });

  it('a silent server is a ProviderError after connectTimeoutMs, naming the option', async () => {
    const sockets: import('node:net').Socket[] = [];
    const server: Server = createServer((socket) => sockets.push(socket)); // accepts, never speaks AMQP
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const error = await RabbitMqQueueProvider.connect({
        url: `amqp://guest:guest@127.0.0.1:${port}`,
        connectTimeoutMs: 300,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as Error).message).toMatch(/^rabbitmq: no AMQP handshake .* within 300 ms/);
      expect((error as Error).message).toContain('connectTimeoutMs');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('rejects a bad prefix or url at construction, naming the field', () => {
    expect(() => new RabbitMqQueueProvider({ prefix: 'bad prefix!' })).toThrow(InvalidInputError);
    expect(() => new RabbitMqQueueProvider({ prefix: '' })).toThrow(/options\.prefix/);
    expect(() => new RabbitMqQueueProvider({ url: 'http://x' })).toThrow(/options\.url/);
    expect(() => new RabbitMqQueueProvider({ delayBucketsMs: [100, 50] })).toThrow(/options\.delayBucketsMs/);
    expect(() => new RabbitMqQueueProvider({ prefetch: 0 })).toThrow(/options\.prefetch/);
  });
});

describe.skipIf(brokerSkipReason() !== '')('connecting to the test broker', () => {
  const open: RabbitMqQueueProvider[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close()));
  });

  it('bad credentials are a ProviderError that says to fix the user and password, hiding the password', async () => {
    const url = withUrl((u) => {
      u.password = 'definitely-wrong';
    });
    const error = await RabbitMqQueueProvider.connect({ url, connectTimeoutMs: 5_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    const message = (error as Error).message;
    expect(message).toMatch(/^rabbitmq: .*ACCESS_REFUSED/);
    expect(message).toContain('fix the user and password');
    expect(message).not.toContain('definitely-wrong');
  });

  it('a missing vhost is a ProviderError that says to create it or fix the URL', async () => {
    const url = withUrl((u) => {
      u.pathname = '/no-such-vhost-jobservice';
    });
    const error = await RabbitMqQueueProvider.connect({ url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toMatch(/vhost 'no-such-vhost-jobservice'.*add_vhost/);
  });

  it('uses buckets on a broker without the delayed-message plugin, and refuses delays: plugin there', async () => {
    const auto = await RabbitMqQueueProvider.connect({ url: amqpUrl(), prefix: `jstest-auto-${Date.now()}` });
    open.push(auto);
    if (auto.delayStrategy === 'plugin') return; // a broker with the plugin: nothing more to check here
    expect(auto.delayStrategy).toBe('buckets');
    await auto.deleteTopology();
    const prefix = `jstest-plugin-${Date.now()}`;
    const error = await RabbitMqQueueProvider.connect({ url: amqpUrl(), prefix, delays: 'plugin' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toContain('rabbitmq-plugins enable rabbitmq_delayed_message_exchange');
    // The base topology was declared before the probe refused: remove it.
    const cleanup = await RabbitMqQueueProvider.connect({ url: amqpUrl(), prefix, delays: 'buckets' });
    open.push(cleanup);
    await cleanup.deleteTopology();
  });
});
