/** Tiny typed event emitter; a throwing listener cannot break the others or the caller. */
export class Emitter<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<(e: never) => void>>();

  on<K extends keyof Events>(type: K, cb: (e: Events[K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(cb as (e: never) => void);
    return () => this.off(type, cb);
  }

  off<K extends keyof Events>(type: K, cb: (e: Events[K]) => void): void {
    this.listeners.get(type)?.delete(cb as (e: never) => void);
  }

  emit<K extends keyof Events>(type: K, e: Events[K]): void {
    for (const cb of [...(this.listeners.get(type) ?? [])]) {
      try {
        (cb as (e: Events[K]) => void)(e);
      } catch (err) {
        // Surface without rethrowing into the library's own control flow.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
