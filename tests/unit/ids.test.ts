import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/core/ids.ts';

describe('uuidv7', () => {
  it('is an RFC 9562 version 7 UUID carrying the time, unique across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = uuidv7(1_732_780_000_000 + i);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(1_732_780_000_000 + i);
      seen.add(id);
    }
    expect(seen.size).toBe(2000);
  });

  it('sorts by creation time across milliseconds', () => {
    const a = uuidv7(1000);
    const b = uuidv7(1001);
    expect(a < b).toBe(true);
  });
});
