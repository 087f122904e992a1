import { GatehouseError } from '../core/errors.ts';

/**
 * At most `concurrency` password checks at once, `queue` more waiting; beyond
 * that a sign-in is refused at once. Each scrypt check takes 128 MiB and a core
 * for ~100 ms: a burst of sign-ins from many addresses must not exhaust memory
 * or starve the event loop's other work (the panic path shares this process).
 */
export class WorkLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queue: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) throw new GatehouseError('GH_AUTH_BUSY');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.running--;
    }
  }

  get busy(): number {
    return this.running;
  }
}
