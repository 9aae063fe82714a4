import { ref, type Ref } from "vue";

/** Which rows of a t-table are expanded (by numeric row key), for tables whose rows open on click. */
export function useExpandedRows(): {
  expanded: Ref<number[]>;
  toggle: (id: number) => void;
  onExpandChange: (keys: (string | number)[]) => void;
  collapseAll: () => void;
} {
  const expanded = ref<number[]>([]);
  return {
    expanded,
    toggle: (id) => {
      expanded.value = expanded.value.includes(id) ? expanded.value.filter((k) => k !== id) : [...expanded.value, id];
    },
    onExpandChange: (keys) => {
      expanded.value = keys.map(Number);
    },
    collapseAll: () => {
      expanded.value = [];
    },
  };
}
