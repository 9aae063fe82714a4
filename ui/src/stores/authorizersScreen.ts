import { reactive, ref } from "vue";
import { defineStore } from "pinia";
import type { Kind, Sort, Status } from "../api";

export const PAGE_SIZES = [50, 100, 200, 500] as const;

export interface TableFilters {
  query: string;
  kind: Kind | null;
  status: Status | null;
  verifyType: number | null;
  hasOpen: boolean | null;
}

// A store (app lifetime) rather than component state: leaving the screen, or opening a deep link
// and closing it, comes back to the same search, filters, sort and page instead of starting over.
export const useAuthorizersScreenStore = defineStore("authorizers-screen", () => {
  const filters = reactive<TableFilters>({ query: "", kind: null, status: null, verifyType: null, hasOpen: null });
  const paging = reactive({ page: 1, pageSize: 50 as number, sort: "nick_name" as Sort, desc: false });
  /** `ui_table_painted` is sent once per app lifetime (the startup benchmark stops there). */
  const paintedSignalled = ref(false);
  /** `?sync=1` has started its sync (it must not start one on every visit). */
  const autoSyncDone = ref(false);
  return { filters, paging, paintedSignalled, autoSyncDone };
});
