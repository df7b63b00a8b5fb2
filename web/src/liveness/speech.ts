/**
 * Says a prompt aloud with the browser's speech synthesis, in the page's language, cutting off
 * the one before (a prompt that is no longer true should not go on being said). Where the browser
 * has no speech synthesis, nothing happens: the prompt is on the screen and in a live region.
 */
export function speak(text: string, lang: string, rate = 1): void {
  const synth = globalThis.speechSynthesis as SpeechSynthesis | undefined;
  if (!synth || typeof SpeechSynthesisUtterance === 'undefined') return;
  synth.cancel();
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = lang;
  utterance.rate = rate;
  synth.speak(utterance);
}

/** Stops whatever is being said. */
export function hush(): void {
  (globalThis.speechSynthesis as SpeechSynthesis | undefined)?.cancel();
}
