// Copies text to the clipboard, with a fallback for pages where the Clipboard API is missing.

export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain-HTTP pages on another host have no Clipboard API; the old way still works there.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = typeof document.execCommand === "function" && document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy refused");
}
