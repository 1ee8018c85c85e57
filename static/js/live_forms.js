// A live region marked data-keep-edits skips its poll while the viewer is typing or choosing in
// one of its forms, so a refresh never resets what they have not sent yet. Once they send it
// (the form's own swap) or put it back as it was, the next poll brings the region up to date.
function isEdited(control) {
  if (control.type === "checkbox" || control.type === "radio") {
    return control.checked !== control.defaultChecked;
  }
  if (control.tagName === "SELECT") {
    const options = Array.from(control.options);
    if (control.multiple) return options.some((option) => option.selected !== option.defaultSelected);
    const initial = options.findIndex((option) => option.defaultSelected);
    // With no option marked, a browser shows the first one.
    return control.selectedIndex !== (initial === -1 && options.length ? 0 : initial);
  }
  return "defaultValue" in control && control.value !== control.defaultValue;
}

function isBeingFilledIn(region) {
  const focused = document.activeElement;
  if (focused && region.contains(focused) && focused.matches("input, select, textarea")) return true;
  return Array.from(region.querySelectorAll("input, select, textarea")).some(isEdited);
}

document.addEventListener("htmx:beforeRequest", (event) => {
  const region = event.detail.elt;
  if (region.matches("[data-keep-edits]") && isBeingFilledIn(region)) event.preventDefault();
});
