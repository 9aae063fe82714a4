import { reactive } from "vue";
import { commands, type Explanation } from "../../api";

/**
 * Errcode explanations from the core's table, fetched once per distinct errcode and kept for the
 * screen's life (they do not depend on the profile). A failed lookup is simply not shown.
 */
export function useExplanations(): {
  get: (errcode: number | null) => Explanation | undefined;
  request: (errcodes: Iterable<number | null>) => void;
} {
  const known = reactive(new Map<number, Explanation>());
  const asked = new Set<number>();

  function request(errcodes: Iterable<number | null>): void {
    for (const code of errcodes) {
      if (code === null || code === 0 || asked.has(code)) continue;
      asked.add(code);
      commands
        .errcodeExplain(code, null)
        .then((x) => known.set(code, x))
        .catch(() => asked.delete(code));
    }
  }

  return { get: (errcode) => (errcode === null ? undefined : known.get(errcode)), request };
}
