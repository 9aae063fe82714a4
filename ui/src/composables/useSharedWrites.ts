import { computed, type ComputedRef } from "vue";
import { useProfilesStore } from "../stores/profiles";
import { sourceLabel } from "../utils/sharedSource";

/** Whether the selected profile borrows its tokens, and whether it may write to the shared store. */
export function useSharedWrites(): { shared: ComputedRef<boolean>; readOnly: ComputedRef<boolean> } {
  const profiles = useProfilesStore();
  const src = computed(() => profiles.current?.shared_source ?? null);
  return {
    shared: computed(() => src.value !== null),
    // A token API is borrow only; Redis writes only with the profile's switch on.
    readOnly: computed(() => src.value !== null && sourceLabel(src.value).readOnly),
  };
}
