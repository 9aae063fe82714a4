import { computed, ref, shallowRef } from "vue";
import { commands, unwrap, type AuthorizerCounts, type AuthorizerQuery, type AuthorizerRow } from "../../api";
import { useAuthorizersScreenStore } from "../../stores/authorizersScreen";

/**
 * One page of the authorizers, fetched from the local cache (never all rows: there may be
 * 100,000). Every request gets a sequence number and only the newest one may write its answer,
 * so a slow search for "a" never overwrites the faster one for "ab" typed after it.
 */
export function useAuthorizerTable() {
  const { filters, paging } = useAuthorizersScreenStore();
  const rows = shallowRef<AuthorizerRow[]>([]);
  const total = ref(0);
  const counts = ref<AuthorizerCounts | null>(null);
  const loading = ref(false);
  const loaded = ref(false);
  const error = shallowRef<unknown>(null);
  let seq = 0;

  const filtered = computed(
    () =>
      filters.query.trim() !== "" ||
      filters.kind !== null ||
      filters.status !== null ||
      filters.verifyType !== null ||
      filters.hasOpen !== null,
  );

  function query(): AuthorizerQuery {
    const q = filters.query.trim();
    return {
      query: q === "" ? null : q,
      kind: filters.kind,
      verify_type: filters.verifyType,
      status: filters.status,
      has_open: filters.hasOpen,
      sort: paging.sort,
      desc: paging.desc,
      limit: paging.pageSize,
      offset: (paging.page - 1) * paging.pageSize,
    };
  }

  /** `quiet`: a background refresh (sync progress) keeps the rows on screen without a spinner. */
  async function load(quiet = false): Promise<void> {
    const mine = ++seq;
    if (!quiet) loading.value = true;
    try {
      const page = await unwrap(commands.authorizersSearch(query()));
      if (mine !== seq) return;
      // The page fell off the end (rows revoked/filtered away meanwhile): show the last one.
      if (page.rows.length === 0 && page.total > 0 && paging.page > 1) {
        paging.page = Math.max(1, Math.ceil(page.total / paging.pageSize));
        return load(quiet);
      }
      rows.value = page.rows;
      total.value = page.total;
      error.value = null;
      loaded.value = true;
    } catch (err) {
      if (mine !== seq) return;
      error.value = err;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  /** Counts are a summary: when they fail the table's own error says enough. */
  async function loadCounts(): Promise<void> {
    try {
      counts.value = await unwrap(commands.authorizersCounts());
    } catch {
      counts.value = null;
    }
  }

  /**
   * The page first, then the counts: both read through the one reader of the local cache, and
   * at a million accounts the counts take most of a second (a scan of the table) that the
   * first page must not wait behind.
   */
  async function reloadAll(quiet = false): Promise<unknown> {
    await load(quiet);
    return loadCounts();
  }

  /** Filters changed: back to the first page. */
  function refilter(): Promise<void> {
    paging.page = 1;
    return load();
  }

  function clearFilters(): Promise<void> {
    Object.assign(filters, { query: "", kind: null, status: null, verifyType: null, hasOpen: null });
    return refilter();
  }

  return { filters, paging, query, rows, total, counts, loading, loaded, error, filtered, load, loadCounts, reloadAll, refilter, clearFilters };
}
