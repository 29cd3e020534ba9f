/**
 * Short-lived notices that are not tied to one control (a transaction confirmed, a notebook
 * imported). Errors about what a user did are shown beside the control instead.
 */

/** One notice. */
export interface Toast {
  id: number;
  kind: "info" | "success" | "error";
  text: string;
}

/** The notices on screen. */
export class Toasts {
  items = $state.raw<Toast[]>([]);
  #next = 1;

  show(text: string, kind: Toast["kind"] = "info", ms = 4_000): void {
    const toast = { id: this.#next++, kind, text };
    this.items = [...this.items, toast];
    setTimeout(() => this.dismiss(toast.id), ms);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}
