// The workspace's light layer: the language switch on change and drop zones with thumbnails.
// Pages work without it; refused forms come back from the server with everything typed.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  function thumbnail(file) {
    var item = document.createElement("li");
    if (file.type && file.type.indexOf("image/") === 0) {
      var img = document.createElement("img");
      img.alt = "";
      img.src = URL.createObjectURL(file);
      item.appendChild(img);
    } else {
      var icon = document.createElement("span");
      icon.className = "doc-icon";
      icon.textContent = (file.name.split(".").pop() || "").toUpperCase();
      item.appendChild(icon);
    }
    var name = document.createElement("span");
    name.textContent = file.name;
    item.appendChild(name);
    return item;
  }

  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    var list = zone.parentNode.querySelector("[data-thumbs]");
    function show() {
      if (!list) { return; }
      list.textContent = "";
      Array.prototype.forEach.call(input.files, function (file) { list.appendChild(thumbnail(file)); });
    }
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("is-over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("is-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      var transfer = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (file) { transfer.items.add(file); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      show();
    });
  });
})();
