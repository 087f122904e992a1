import type { Db } from './database.ts';

export interface Card {
  readonly card: string;
  readonly name: string;
}

/** Cards imported from the school's card system (the config file's cards are pinned there, not stored). */
export class ManagedCardStore {
  constructor(private readonly db: Db) {}

  list(): Card[] {
    return this.db.prepare('SELECT card, name FROM managed_cards ORDER BY card').all() as Card[];
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM managed_cards').get() as { n: number }).n;
  }

  /** Write an import in one transaction: `replace` drops the cards not in it first. */
  apply(cards: readonly Card[], replace: boolean, at: number, by: string): void {
    const upsert = this.db.prepare('INSERT INTO managed_cards (card, name, imported_at, imported_by) VALUES (?, ?, ?, ?) ON CONFLICT (card) DO UPDATE SET name = excluded.name, imported_at = excluded.imported_at, imported_by = excluded.imported_by');
    this.db.transaction(() => {
      if (replace) this.db.prepare('DELETE FROM managed_cards').run();
      for (const c of cards) upsert.run(c.card, c.name, at, by);
    })();
  }

  clear(): number {
    return this.db.prepare('DELETE FROM managed_cards').run().changes;
  }
}
