import { useSyncExternalStore } from 'react';

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  text: string;
}

let toasts: Toast[] = [];
let next = 1;
const listeners = new Set<() => void>();

function publish(list: Toast[]): void {
  toasts = list;
  for (const listener of listeners) listener();
}

export function notify(kind: Toast['kind'], text: string): void {
  const toast = {
    id: next++,
    kind: (['info', 'success', 'error'] as const).includes(kind) ? kind : 'info',
    text: String(text),
  };
  publish([...toasts, toast]);
  setTimeout(() => dismiss(toast.id), 8_000);
}

export function dismiss(id: number): void {
  publish(toasts.filter((t) => t.id !== id));
}

export function useToasts(): Toast[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => toasts,
  );
}
