import { ref, shallowRef, watch, type Ref } from "vue";
import { useProfilesStore } from "../../stores/profiles";

export interface ProfileData<T> {
  data: Ref<T | null>;
  loading: Ref<boolean>;
  /** The last load's failure, shown in place by the card (null when it worked). */
  error: Ref<unknown>;
  load: () => Promise<void>;
  /** A fresh value from an action (save, refresh…): wins over a load still in flight. */
  set: (value: T) => void;
}

/**
 * Loads something that belongs to the selected profile, now and again after every profile switch
 * or edit (`generation`). A late answer for a previous profile is dropped.
 */
export function useProfileData<T>(fetch: () => Promise<T>): ProfileData<T> {
  const profiles = useProfilesStore();
  const data = shallowRef<T | null>(null) as Ref<T | null>;
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  let seq = 0;

  async function load(): Promise<void> {
    const mine = ++seq;
    loading.value = true;
    try {
      const value = await fetch();
      if (mine !== seq) return;
      data.value = value;
      error.value = null;
    } catch (err) {
      if (mine !== seq) return;
      data.value = null;
      error.value = err;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  function set(value: T): void {
    seq++;
    loading.value = false;
    data.value = value;
    error.value = null;
  }

  watch(() => profiles.generation, load, { immediate: true });
  return { data, loading, error, load, set };
}
