// Hand text to the person as a downloaded file (a report, a traffic log). Browser only.

export function saveTextFile(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once started; give the browser a moment before freeing the URL.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
