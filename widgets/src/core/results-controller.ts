import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { isAbort } from '../api/product-api';
import { WidgetError, type FailureReason, type HitPage, type WidgetHit } from '../api/types';

export type ResultsState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; hits: WidgetHit[]; nextCursor: string | null }
  | { status: 'failed'; reason: FailureReason; message: string };

/**
 * Runs one request at a time for a widget: a newer run aborts the older one, a stale answer never lands, and a
 * failure becomes a readable state plus exactly one console warning. Nothing thrown here reaches the host page.
 */
export class ResultsController implements ReactiveController {
  state: ResultsState = { status: 'idle' };
  private current?: AbortController;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly widget: string,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.cancel();
  }

  cancel(): void {
    this.current?.abort();
    this.current = undefined;
  }

  async run(load: (signal: AbortSignal) => Promise<HitPage>, filter: (hits: WidgetHit[]) => WidgetHit[] = (h) => h): Promise<void> {
    this.cancel();
    const controller = new AbortController();
    this.current = controller;
    this.set({ status: 'loading' });
    try {
      const page = await load(controller.signal);
      if (controller.signal.aborted) return;
      this.set({ status: 'ready', hits: filter(page.hits), nextCursor: page.nextCursor });
    } catch (e) {
      if (controller.signal.aborted || isAbort(e)) return;
      const err = e instanceof WidgetError ? e : new WidgetError('server', `Unexpected failure: ${String(e)}`);
      this.fail(err.reason, err.message);
    } finally {
      if (this.current === controller) this.current = undefined;
    }
  }

  /** Bad input found before any request (e.g. invalid `filters` JSON). */
  fail(reason: FailureReason, message: string): void {
    this.cancel();
    console.warn(`<${this.widget}>: ${message}`);
    this.set({ status: 'failed', reason, message });
  }

  reset(): void {
    this.cancel();
    this.set({ status: 'idle' });
  }

  private set(state: ResultsState): void {
    this.state = state;
    this.host.requestUpdate();
  }
}
