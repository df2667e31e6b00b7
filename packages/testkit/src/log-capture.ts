import { Writable } from 'node:stream';

export interface LogCapture {
  /** Every chunk written so far, in order. */
  lines: string[];
  /** A stream to hand a logger as its destination. */
  destination: Writable;
  /** All of it as one string. */
  text(): string;
}

/** Collects what a logger writes, so a test can check what was (and was not) logged. */
export function captureLog(): LogCapture {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { lines, destination, text: () => lines.join('') };
}
