import { ref, shallowRef, type Ref, type ShallowRef } from "vue";
import { useErrorToast } from "./useErrorToast";

export interface Page<T> {
  total: number;
  rows: T[];
}

export interface PagedList<T> {
  rows: ShallowRef<T[]>;
  total: Ref<number>;
  /** 1-based. */
  page: Ref<number>;
  pageSize: Ref<number>;
  loading: Ref<boolean>;
  /** The last load's failure (cleared by the next success). */
  error: ShallowRef<unknown>;
  /** At least one load finished (so "empty" means empty, not "not yet"). */
  loaded: Ref<boolean>;
  /** Loads the current page; `fromStart` goes back to page 1 first (after a filter change). */
  reload: (fromStart?: boolean) => Promise<void>;
}

/**
 * A server-paginated table's state. Only the newest request may write the state, so a slow
 * answer for old filters (or the previous profile) never replaces a newer one.
 */
export function usePagedList<T>(
  fetch: (limit: number, offset: number) => Promise<Page<T>>,
  context: () => string,
  initialPageSize = 20,
): PagedList<T> {
  const toastError = useErrorToast();
  const rows = shallowRef<T[]>([]);
  const total = ref(0);
  const page = ref(1);
  const pageSize = ref(initialPageSize);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  const loaded = ref(false);
  let seq = 0;

  async function reload(fromStart = false): Promise<void> {
    if (fromStart) page.value = 1;
    const mine = ++seq;
    loading.value = true;
    try {
      const result = await fetch(pageSize.value, (page.value - 1) * pageSize.value);
      if (mine !== seq) return;
      rows.value = result.rows;
      total.value = result.total;
      error.value = null;
    } catch (err) {
      if (mine !== seq) return;
      rows.value = [];
      total.value = 0;
      error.value = err;
      toastError(err, context);
    } finally {
      if (mine === seq) {
        loading.value = false;
        loaded.value = true;
      }
    }
  }

  return { rows, total, page, pageSize, loading, error, loaded, reload };
}
