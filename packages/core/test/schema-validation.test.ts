import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BaseJobCallback,
  JobDispatcher,
  JobExecutionResult,
  JobManager,
  MemoryDocumentProvider,
  type MetadataOf,
  MetadataValidationError,
  type SchemaOutput,
} from '../src/index.js';

const orderSchema = z.object({
  orderId: z.string().min(1),
  items: z.array(z.object({ sku: z.string(), qty: z.number().int().positive() })).min(1),
  note: z.string().default('none'),
});

class ChargeOrder extends BaseJobCallback<SchemaOutput<typeof orderSchema>, string> {
  static jobName = 'charge-order';
  static schema = orderSchema;
  static seen: unknown[] = [];
  async execute() {
    ChargeOrder.seen.push(this.metadata);
    return JobExecutionResult.success(`${this.metadata.orderId}:${this.metadata.note}`);
  }
}

const emailSchema = v.object({ to: v.pipe(v.string(), v.email()), subject: v.string() });

class SendEmail extends BaseJobCallback<v.InferOutput<typeof emailSchema>> {
  static jobName = 'send-email-validated';
  static schema = emailSchema;
  static runs = 0;
  async execute() {
    SendEmail.runs++;
    return JobExecutionResult.success();
  }
}

function setup() {
  const store = new MemoryDocumentProvider();
  const callbacks = [ChargeOrder, SendEmail];
  return {
    store,
    manager: new JobManager({ store, callbacks }),
    dispatcher: new JobDispatcher({ store, callbacks }),
  };
}

describe('metadata validated by a Standard Schema', () => {
  it('infers the enqueue type from the schema input (zod)', () => {
    type Input = MetadataOf<typeof ChargeOrder>;
    const ok: Input = { orderId: 'o1', items: [{ sku: 'a', qty: 1 }] };
    // @ts-expect-error qty must be a number
    const bad: Input = { orderId: 'o1', items: [{ sku: 'a', qty: '1' }] };
    expect([ok, bad]).toHaveLength(2);
  });

  it('refuses bad metadata at enqueue with every issue and its path, writing nothing (zod)', async () => {
    const { store, manager } = setup();
    const error = await manager
      .enqueue(ChargeOrder, { orderId: '', items: [{ sku: 'a', qty: 0 }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetadataValidationError);
    const failure = error as MetadataValidationError;
    expect(failure).toMatchObject({ code: 'INVALID_INPUT', field: 'metadata' });
    expect(failure.issues.map((i) => i.path).sort()).toEqual(['items[0].qty', 'orderId']);
    expect(failure.message).toContain('items[0].qty');
    expect((await store.query({})).items).toHaveLength(0);
  });

  it('refuses bad metadata by callback name too, and in enqueueMany before writing any (valibot)', async () => {
    const { store, manager } = setup();
    await expect(
      manager.enqueue('send-email-validated', { to: 'not-an-email', subject: 'hi' }),
    ).rejects.toMatchObject({ field: 'metadata', issues: [{ path: 'to' }] });
    await expect(
      manager.enqueueMany([
        { callback: SendEmail, metadata: { to: 'ada@example.com', subject: 'ok' } },
        { callback: SendEmail, metadata: { to: 'ada@example.com' } },
      ]),
    ).rejects.toMatchObject({ field: 'items[1].metadata', issues: [{ path: 'subject' }] });
    expect((await store.query({})).items).toHaveLength(0);
  });

  it("runs the handler with the schema's output (defaults applied); the stored metadata stays the input", async () => {
    const { store, manager, dispatcher } = setup();
    ChargeOrder.seen = [];
    const { id } = await manager.enqueue(ChargeOrder, { orderId: 'o7', items: [{ sku: 'a', qty: 2 }] });
    await dispatcher.drain();
    expect(await manager.waitFor(id)).toBe('o7:none');
    expect(ChargeOrder.seen).toEqual([{ orderId: 'o7', items: [{ sku: 'a', qty: 2 }], note: 'none' }]);
    expect((await store.get(id))!.metadata).toEqual({ orderId: 'o7', items: [{ sku: 'a', qty: 2 }] });
  });

  it('fails a job whose stored metadata no longer validates, without running it or retrying', async () => {
    const { store, manager, dispatcher } = setup();
    SendEmail.runs = 0;
    // Written by an older producer, before the schema tightened: straight into the store.
    const producer = new JobManager({ store });
    const { id } = await producer.enqueue(
      'send-email-validated',
      { to: 'nobody', subject: 'x' },
      { maxAttempts: 5 },
    );
    await dispatcher.drain();
    const job = await manager.get(id);
    expect(job).toMatchObject({ status: 'failed', attempt: 1 });
    expect(job!.error!.message).toContain('no longer validates');
    expect(job!.error!.message).toContain('to:');
    expect(SendEmail.runs).toBe(0);
  });
});

describe('an idempotent enqueue of a finished job', () => {
  it('returns the existing job with its status and result, so the caller can skip work', async () => {
    const { manager, dispatcher } = setup();
    const metadata = { orderId: 'o9', items: [{ sku: 'b', qty: 1 }] };
    const first = await manager.enqueue(ChargeOrder, metadata, { key: 'order-o9' });
    expect(first).toEqual({ id: first.id, created: true });
    const pending = await manager.enqueue(ChargeOrder, metadata, { key: 'order-o9' });
    expect(pending).toEqual({ id: first.id, created: false, status: 'scheduled', result: null });
    await dispatcher.drain();
    const done = await manager.enqueue(ChargeOrder, metadata, { key: 'order-o9' });
    expect(done).toEqual({ id: first.id, created: false, status: 'completed', result: 'o9:none' });
    await expect(manager.waitFor(done.id)).resolves.toBe('o9:none');
    const [taken, fresh] = await manager.enqueueMany([
      { callback: ChargeOrder, metadata, options: { key: 'order-o9' } },
      { callback: ChargeOrder, metadata, options: { key: 'order-o10' } },
    ]);
    expect(taken).toEqual({ id: first.id, created: false, status: 'completed', result: 'o9:none' });
    expect(fresh).toEqual({ id: fresh!.id, created: true });
  });
});
