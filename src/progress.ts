/** Progress of long work, as events; the CLI draws them, a library caller may ignore them. */
export interface ProgressEvent {
  /** What is being done, e.g. `validating wheels`. */
  readonly task: string;
  readonly done: number;
  readonly total: number;
}

export type ProgressListener = (event: ProgressEvent) => void;

/** Counts `total` steps of one task, reporting each to `listener` (if any). */
export function counter(listener: ProgressListener | undefined, task: string, total: number): () => void {
  let done = 0;
  listener?.({ task, done, total });
  return () => listener?.({ task, done: ++done, total });
}
