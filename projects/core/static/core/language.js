"use strict";
// The admin's language menu submits itself when changed (a file, not an inline handler: the
// Content-Security-Policy runs no inline script).
document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-submit-on-change]")) {
        event.target.form.submit();
    }
});
