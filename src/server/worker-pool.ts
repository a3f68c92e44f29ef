/**
 * Worker threads for CPU work that must not stall the event loop (every request
 * waits while the main thread is busy): profile decoding, block encoding and
 * compaction. A pool runs one TypeScript module per worker; jobs carry an id and
 * answers are matched by it. Workers start on the first job.
 */
import { Worker } from "node:worker_threads";
import { parentPort } from "node:worker_threads";

/** An error as it crosses the thread boundary. */
export interface WorkerError {
  name: string;
  message: string;
  /** The `reason` of errors that carry one (InvalidArgumentError, LimitExceededError). */
  reason?: string;
}

interface JobMessage<Req> {
  id: number;
  req: Req;
}

type AnswerMessage<Res> = { id: number; res: Res } | { id: number; error: WorkerError };

interface Pending<Res> {
  resolve: (r: Res) => void;
  reject: (e: Error) => void;
}

interface Slot<Res> {
  worker: Worker;
  inFlight: Map<number, Pending<Res>>;
}

/** Options of a worker pool. */
export interface WorkerPoolOptions {
  /** The worker module (it calls serveWorkerJobs). */
  module: URL;
  /** Number of worker threads (≥ 1). */
  workers: number;
  /** Names the pool in errors. */
  name: string;
  /** Turns a worker's error back into the error class callers expect. */
  reviveError?: (e: WorkerError) => Error;
}

/** Worker bootstrap: the worker runs TypeScript through tsx's loader, like the main thread. */
function bootScript(module: URL): string {
  return `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); });`;
}

/** A pool of worker threads, each job going to the least busy worker. */
export class WorkerPool<Req, Res> {
  private slots: Slot<Res>[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {
    if (!(options.workers >= 1)) throw new Error(`${options.name}: a worker pool needs at least 1 worker, got ${options.workers}`);
  }

  /** Runs `req` on a worker; `transfer` lists buffers handed over (the caller must not use them after). */
  run(req: Req, transfer: readonly ArrayBuffer[] = []): Promise<Res> {
    if (this.closed) return Promise.reject(new Error(`${this.options.name} is closed`));
    const slot = this.leastBusy();
    const id = this.nextId++;
    const msg: JobMessage<Req> = { id, req };
    return new Promise<Res>((resolve, reject) => {
      slot.inFlight.set(id, { resolve, reject });
      // A busy worker keeps the process alive until it answers; an idle one does not.
      if (slot.inFlight.size === 1) slot.worker.ref();
      slot.worker.postMessage(msg, [...transfer]);
    });
  }

  /** Stops the workers; jobs still running reject. */
  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private leastBusy(): Slot<Res> {
    while (this.slots.length < this.options.workers) this.slots.push(this.spawn());
    let best = this.slots[0]!;
    for (const s of this.slots) if (s.inFlight.size < best.inFlight.size) best = s;
    return best;
  }

  private spawn(): Slot<Res> {
    const worker = new Worker(bootScript(this.options.module), { eval: true });
    worker.unref();
    const slot: Slot<Res> = { worker, inFlight: new Map() };
    worker.on("message", (msg: AnswerMessage<Res>) => {
      const p = slot.inFlight.get(msg.id);
      if (!p) return;
      slot.inFlight.delete(msg.id);
      if (slot.inFlight.size === 0) worker.unref();
      if ("error" in msg) p.reject(this.options.reviveError?.(msg.error) ?? plainError(msg.error));
      else p.resolve(msg.res);
    });
    const fail = (err: Error): void => {
      for (const p of slot.inFlight.values()) p.reject(new Error(`${this.options.name} worker stopped`, { cause: err }));
      slot.inFlight.clear();
      this.slots = this.slots.filter((s) => s !== slot);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`exit code ${code}`)));
    return slot;
  }
}

function plainError(e: WorkerError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/** What a job handler returns: the answer and the buffers to transfer with it. */
export interface JobAnswer<Res> {
  res: Res;
  transfer?: readonly ArrayBuffer[];
}

/**
 * Worker side: answers each job of the pool with `handle`. Does nothing outside a
 * worker thread, so the module can also be imported for its inline functions.
 */
export function serveWorkerJobs<Req, Res>(handle: (req: Req) => JobAnswer<Res> | Promise<JobAnswer<Res>>): void {
  const port = parentPort;
  if (!port) return;
  port.on("message", (msg: JobMessage<Req>) => {
    void (async () => {
      try {
        const { res, transfer } = await handle(msg.req);
        const answer: AnswerMessage<Res> = { id: msg.id, res };
        port.postMessage(answer, [...(transfer ?? [])]);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        const reason = (e as { reason?: unknown }).reason;
        const error: WorkerError = { name: e.name, message: e.message, ...(typeof reason === "string" ? { reason } : {}) };
        port.postMessage({ id: msg.id, error } satisfies AnswerMessage<Res>);
      }
    })();
  });
}

/** The distinct ArrayBuffers behind the typed arrays among `values` (to transfer them). */
export function buffersOf(values: Iterable<unknown>): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const v of values) {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) set.add(v.buffer);
  }
  return [...set];
}
