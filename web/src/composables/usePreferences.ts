import { ref, watch } from 'vue';

const ELDER_KEY = 'sim-elder';
const VOICE_KEY = 'sim-voice';

const stored = (key: string, fallback: boolean): boolean => {
  const value = typeof localStorage === 'undefined' ? null : localStorage.getItem(key);
  return value === null ? fallback : value === '1';
};

/** 长辈模式: larger type and controls, prompts spoken slower, more time for each action. */
const elder = ref(stored(ELDER_KEY, false));
/** Whether the live check's prompts are also spoken. */
const voice = ref(stored(VOICE_KEY, true));

watch(elder, (on) => {
  localStorage.setItem(ELDER_KEY, on ? '1' : '0');
  document.documentElement.classList.toggle('elder', on);
}, { immediate: typeof document !== 'undefined' });
watch(voice, (on) => localStorage.setItem(VOICE_KEY, on ? '1' : '0'));

/** The buyer's choices for this device, kept across visits. */
export function usePreferences() {
  return { elder, voice };
}
