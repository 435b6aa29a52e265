/**
 * A bounded map from the exact token string to what verifying it produced. Eviction is
 * first-in first-out: a hot token that falls out is simply verified (and cached) again.
 */
export class VerifiedCache<V> {
  readonly #entries = new Map<string, V>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(token: string): V | undefined {
    return this.#entries.get(token);
  }

  set(token: string, value: V): void {
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, value);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  clear(): void {
    this.#entries.clear();
  }
}
