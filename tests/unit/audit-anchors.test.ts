import { describe, expect, it } from 'vitest';
import { compareWithHeads, parseHeads } from '../../src/store/auditAnchors.ts';
import { AnchorSchedule } from '../../src/uplink/auditAnchor.ts';

const hash = (n: number, variant = 'a') => `${variant}${String(n).padStart(63, '0')}`;
const chain = (rows: number, variant = 'a') => (seq: number) => (seq >= 1 && seq <= rows ? hash(seq, variant) : undefined);

describe('the local audit chain against the heads the county holds', () => {
  it('passes when every head matches, and says how far the county confirms', () => {
    expect(compareWithHeads(60, chain(60), [{ auditSeq: 10, hash: hash(10) }, { auditSeq: 57, hash: hash(57) }, { auditSeq: 57, hash: hash(57) }])).toEqual({ ok: true, heads: 2, confirmedUpTo: 57 });
    expect(compareWithHeads(0, chain(0), [])).toEqual({ ok: true, heads: 0, confirmedUpTo: 0 });
  });

  it('names removed rows when a head lies beyond the local chain', () => {
    const v = compareWithHeads(40, chain(40), [{ auditSeq: 57, hash: hash(57) }, { auditSeq: 12, hash: hash(12) }]);
    expect(v).toEqual({ ok: false, seq: 57, reason: 'local chain ends at 40, county received a head at 57: rows were removed' });
  });

  it('names the first head whose hash differs, lowest row first, and the last one that matched', () => {
    const local = (seq: number) => (seq < 30 ? hash(seq) : hash(seq, 'b')); // rewritten from row 30 on, re-hashed
    const v = compareWithHeads(60, local, [{ auditSeq: 57, hash: hash(57) }, { auditSeq: 20, hash: hash(20) }, { auditSeq: 35, hash: hash(35), at: Date.UTC(2026, 0, 2) }]);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.seq).toBe(35);
    expect(v.reason).toBe(
      `audit row 35: county holds hash ${hash(35)} (row written 2026-01-02T00:00:00.000Z), local chain has ${hash(35, 'b')} (the county's heads match up to row 20: a row after it was rewritten or replaced)`,
    );
  });

  it('two different hashes for one row (a chain cut and regrown) cannot both match', () => {
    const v = compareWithHeads(60, chain(60), [{ auditSeq: 50, hash: hash(50) }, { auditSeq: 50, hash: hash(50, 'c') }]);
    expect(v).toMatchObject({ ok: false, seq: 50 });
  });

  it('reads the heads document, naming the first bad field', () => {
    expect(parseHeads({ heads: [{ auditSeq: 3, hash: hash(3), at: 5, seq: 9 }] })).toEqual([{ auditSeq: 3, hash: hash(3), at: 5 }]);
    expect(() => parseHeads([])).toThrow('heads: expected an object with a "heads" array');
    expect(() => parseHeads({ heads: [{ auditSeq: 1, hash: hash(1) }, { auditSeq: 1.5, hash: hash(1) }] })).toThrow('heads[1].auditSeq: must be a whole number >= 1');
    expect(() => parseHeads({ heads: [{ auditSeq: 1, hash: hash(1).toUpperCase() }] })).toThrow('heads[0].hash: must be 64 lowercase hex digits');
    expect(() => parseHeads({ heads: [{ auditSeq: 1, hash: hash(1), at: 'yesterday' }] })).toThrow('heads[0].at: must be epoch milliseconds');
  });
});

describe('when the chain head goes to the county', () => {
  const head = (seq: number, h = hash(seq)) => ({ seq, hash: h, at: 1000 + seq });

  it('sends each new head, at most once per pause; the newest is sent when the pause is over', () => {
    const s = new AnchorSchedule(5000);
    expect(s.due(undefined, 0)).toBeUndefined(); // empty log
    const first = s.due(head(1), 0)!;
    expect(first).toEqual({ auditSeq: 1, hash: hash(1), at: 1001 });
    s.queued(first, 0);
    expect(s.due(head(1), 10_000)).toBeUndefined(); // unchanged: nothing to say
    expect(s.due(head(7), 1000)).toBeUndefined(); // changed, but inside the pause: coalesced
    expect(s.due(head(9), 4999)).toBeUndefined();
    expect(s.due(head(9), 5000)).toEqual({ auditSeq: 9, hash: hash(9), at: 1009 }); // the newest, not the ones in between
  });

  it('force skips the pause (start-up, stop) but still never repeats the same head', () => {
    const s = new AnchorSchedule(5000);
    s.queued(s.due(head(3), 0)!, 0);
    expect(s.due(head(4), 1, true)).toMatchObject({ auditSeq: 4 });
    expect(s.due(head(3), 1, true)).toBeUndefined();
    expect(s.due(head(3, hash(3, 'z')), 1, true)).toMatchObject({ auditSeq: 3, hash: hash(3, 'z') }); // same row, new hash: sent
  });
});
