/**
 * The first error a pass meets, kept while the pass goes on and thrown once it is done: expiry
 * passes and message flushes finish their work whatever one entry or message throws.
 */
export class FirstError {
  private failed = false;
  private error: unknown = undefined;

  /** Keeps `error` unless an earlier one is kept. */
  keep(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.error = error;
  }

  /** Throws the kept error, if any, and forgets it. */
  throwIfAny(): void {
    if (!this.failed) return;
    const error = this.error;
    this.failed = false;
    this.error = undefined;
    throw error;
  }
}
