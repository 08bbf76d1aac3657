// Runs before first paint (render-blocking, tiny) so dark mode never flashes light.
(function () {
  var stored = null;
  try { stored = localStorage.getItem("theme"); } catch (e) { /* storage disabled */ }
  var dark = stored ? stored === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.setAttribute("data-bs-theme", dark ? "dark" : "light");
  // Signed in (a hint left by account.js): keep "Sign in"/"Sign up" from flashing in the navbar.
  var signedIn = false;
  try { signedIn = localStorage.getItem("lmsSignedIn") === "1"; } catch (e) { /* storage disabled */ }
  if (signedIn) document.documentElement.classList.add("lms-signed-in");
})();
