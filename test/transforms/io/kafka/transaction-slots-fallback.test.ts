import { describe, expect, it } from 'vitest';
import { TransactionSlots, type KafkaWriteHandle } from '../../../../transforms/io/kafka/transaction-slots.js';
import { CheckpointRecoveryError } from '../../../../sdk/errors.js';

/**
 * TransactionSlots.recover when the run falls back past a corrupt checkpoint (RecoverContext.skipped):
 * the replay from the older checkpoint writes the skipped one's output again, which a topic cannot
 * take back. Refused before any I/O when the skipped checkpoint's output was committed; a skipped
 * checkpoint that was not committed (its transaction prepared, then fenced by this run) is no reason.
 * Fake producers and commits: no broker.
 */

const handle: KafkaWriteHandle = { transactionalId: 'p.Out.0.0', producerId: '42', producerEpoch: 3, seq: 6, transactionTimeoutMs: 60_000 };

function slotsWith(log: string[]): TransactionSlots {
  return new TransactionSlots({
    step: 'Out',
    ids: ['p.Out.0.0', 'p.Out.0.1'],
    transactionTimeoutMs: 60_000,
    producer: (id) => {
      log.push(`producer ${id}`);
      throw new Error('no producer in this test');
    },
    commitPrepared: async (h, o) => void log.push(`commitPrepared ${h.transactionalId} for ${o.checkpoint}`),
  });
}

describe('TransactionSlots.recover after a fallback past a corrupt checkpoint', () => {
  it('refuses with CheckpointRecoveryError naming the corrupt checkpoint and its marker when its output was committed, before any commit or connection', async () => {
    const log: string[] = [];
    const error = await slotsWith(log)
      .recover(handle, { committed: false, restoredSeq: 6, skipped: [{ checkpoint: 'checkpoints/ck-000000000007', seq: 7, committed: true }], warn: () => undefined })
      .then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointRecoveryError);
    expect((error as CheckpointRecoveryError).step).toBe('Out');
    expect((error as Error).message).toMatch(/checkpoints\/ck-000000000007 is corrupt and its output was already committed.*resuming from checkpoints\/ck-000000000006.*commits\/ck-000000000007/);
    expect(log).toEqual([]);
  });

  it('goes on when the skipped checkpoint was not committed (its prepared transaction is fenced by this run and replayed), or when nothing was skipped', async () => {
    const log: string[] = [];
    await slotsWith(log).recover(handle, { committed: false, restoredSeq: 6, skipped: [{ checkpoint: 'checkpoints/ck-000000000007', seq: 7, committed: false }], warn: () => undefined });
    await slotsWith(log).recover(handle, { committed: false, restoredSeq: 6, warn: () => undefined });
    expect(log).toEqual(['commitPrepared p.Out.0.0 for checkpoints/ck-000000000006', 'commitPrepared p.Out.0.0 for checkpoints/ck-000000000006']);
  });
});
