// A minimal external store: components subscribe to a slice (one message, the order, the
// connection status) through useSyncExternalStore, so a change re-renders only the components
// whose slice changed identity.
import { useCallback, useSyncExternalStore } from "react";

export class Store<T> {
  private listeners = new Set<() => void>();

  constructor(private state: T) {}

  get = (): T => this.state;

  set(next: T): void {
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  update(fn: (state: T) => T): void {
    this.set(fn(this.state));
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

export function useStore<T, S>(store: Store<T>, select: (state: T) => S): S {
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `select` is a pure projection
  const get = useCallback(() => select(store.get()), [store]);
  return useSyncExternalStore(store.subscribe, get, get);
}
