import { defineStore } from "pinia";
import { computed, ref } from "vue";
import { commands, unwrap, type ProfileView } from "../api";

/** The profiles and the selected one. Screens watch `generation` to reload on a switch. */
export const useProfilesStore = defineStore("profiles", () => {
  const list = ref<ProfileView[]>([]);
  const loaded = ref(false);
  /** Bumped whenever the selected profile changes (or is edited): views reload their data. */
  const generation = ref(0);

  const current = computed(() => list.value.find((p) => p.selected) ?? null);

  async function load(): Promise<ProfileView[]> {
    list.value = await unwrap(commands.profilesList());
    loaded.value = true;
    return list.value;
  }

  async function select(name: string): Promise<void> {
    await unwrap(commands.profileSelect(name));
    await load();
    generation.value++;
  }

  /** Creates (or reuses) the sandbox profile and selects it. */
  async function addSandbox(): Promise<ProfileView> {
    const view = await unwrap(commands.profileAddSandbox());
    await load();
    generation.value++;
    return view;
  }

  /** After an add/edit/remove made elsewhere. */
  async function changed(): Promise<void> {
    await load();
    generation.value++;
  }

  return { list, loaded, generation, current, load, select, addSandbox, changed };
});
