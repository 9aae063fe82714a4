import type { Router } from "vue-router";
import type { Status } from "../../api";
import { useAuthorizersScreenStore } from "../../stores/authorizersScreen";

/**
 * Opens the Authorizers table filtered to one state. The table keeps its filters in a store (so
 * a visit elsewhere comes back to the same search): set them there, from the first page, with
 * every other filter cleared so the count matches the Health item.
 */
export function openTable(router: Router, status: Status): void {
  const screen = useAuthorizersScreenStore();
  Object.assign(screen.filters, { query: "", kind: null, status, verifyType: null, hasOpen: null });
  screen.paging.page = 1;
  void router.push("/authorizers");
}

/** Activity with the failed calls of the last day, narrowed to one endpoint. */
export function openFailedCalls(router: Router, endpoint: string): void {
  void router.push({ path: "/activity", query: { errors: "1", since: "day", endpoint } });
}
