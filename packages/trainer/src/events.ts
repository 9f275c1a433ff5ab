/** A minimal typed event emitter whose `emit` waits for listeners that return a promise. */
export type Listener<T> = (event: T) => void | Promise<void>;

export class Emitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Subscribes `listener` to `name`; returns a function that unsubscribes it. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** Calls the listeners in subscription order, awaiting each one that returns a promise. */
  async emit<K extends keyof Events>(name: K, event: Events[K]): Promise<void> {
    for (const listener of [...(this.#listeners.get(name) ?? [])]) {
      const result = (listener as Listener<Events[K]>)(event);
      if (result instanceof Promise) await result;
    }
  }
}
