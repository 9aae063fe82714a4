import { createRouter, createWebHashHistory, type RouteRecordRaw, type RouterHistory } from "vue-router";

declare module "vue-router" {
  interface RouteMeta {
    /** Path of the nav item to highlight when it differs from the route's own path. */
    nav?: string;
  }
}

export const routes: RouteRecordRaw[] = [
  { path: "/", redirect: "/authorizers" },
  { path: "/authorizers", name: "authorizers", component: () => import("../views/Authorizers/AuthorizersView.vue") },
  {
    path: "/authorizers/:appid",
    name: "authorizer-detail",
    component: () => import("../views/AuthorizerDetail/AuthorizerDetailView.vue"),
    props: true,
    meta: { nav: "/authorizers" },
  },
  { path: "/health", name: "health", component: () => import("../views/Health/HealthView.vue") },
  { path: "/changes", name: "changes", component: () => import("../views/Changes/ChangesView.vue") },
  { path: "/auth-links", name: "auth-links", component: () => import("../views/AuthLinks/AuthLinksView.vue") },
  { path: "/tokens", name: "tokens", component: () => import("../views/Tokens/TokensView.vue") },
  { path: "/messages", name: "messages", component: () => import("../views/Messages/MessagesView.vue") },
  { path: "/health", name: "health", component: () => import("../views/Health/HealthView.vue") },
  { path: "/activity", name: "activity", component: () => import("../views/Activity/ActivityView.vue") },
  { path: "/welcome", name: "welcome", component: () => import("../views/Welcome/WelcomeView.vue") },
  { path: "/profiles", name: "profiles", component: () => import("../views/Profiles/ProfilesView.vue") },
  { path: "/:pathMatch(.*)*", redirect: "/authorizers" },
];

/** Routes that make sense without any profile. */
const WITHOUT_PROFILE = new Set(["welcome", "profiles"]);

/**
 * Hash history: Tauri serves the files, so there is no server to rewrite deep links.
 * `hasProfile` decides the first-run redirect: no profile yet → the welcome page.
 */
export function createConsoleRouter(
  history: RouterHistory = createWebHashHistory(),
  hasProfile: () => Promise<boolean> = async () => true,
) {
  const router = createRouter({ history, routes });
  router.beforeEach(async (to) => {
    if (typeof to.name === "string" && WITHOUT_PROFILE.has(to.name)) return true;
    return (await hasProfile()) ? true : { name: "welcome" };
  });
  return router;
}
