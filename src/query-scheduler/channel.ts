/**
 * An unbounded single-consumer queue of values that is also an AsyncIterable: the
 * outgoing half of a bidi stream (the client library pulls from it) and the mailbox
 * of a querier stream's answers.
 */

/** Values pushed by one side and taken, in order, by the other. */
export class Channel<T extends object> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private taker: ((v: T | undefined) => void) | undefined;
  private ended = false;

  /** Appends a value; ignored once the channel ended. */
  push(value: T): void {
    if (this.ended) return;
    if (this.taker) {
      const t = this.taker;
      this.taker = undefined;
      t(value);
    } else {
      this.items.push(value);
    }
  }

  /** No more values: the consumer gets what is buffered, then undefined / the end of iteration. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.taker) {
      const t = this.taker;
      this.taker = undefined;
      t(undefined);
    }
  }

  /** True once end() was called. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** The next value, or undefined when the channel ended and is drained. One taker at a time. */
  take(): Promise<T | undefined> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift());
    if (this.ended) return Promise.resolve(undefined);
    if (this.taker) return Promise.reject(new Error("channel already has a waiting consumer"));
    return new Promise((resolve) => {
      this.taker = resolve;
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const v = await this.take();
      if (v === undefined) return;
      yield v;
    }
  }
}
