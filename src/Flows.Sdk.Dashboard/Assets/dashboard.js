// Flows dashboard: progressive enhancement only; every page works without this script.
// - Times: <time datetime="..."> shown in the viewer's zone (the title keeps UTC).
// - Live regions: each [data-live] element is asked for again every refresh interval with If-None-Match, swapped
//   when it changed (304 otherwise); polling pauses while the tab is hidden.
// - Forms with data-confirm ask before they post.
// - Log lists (ol.logs) follow new lines as they arrive unless the reader scrolled up.
(function () {
  "use strict";
  var dateTime = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" });

  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      if (el.dataset.local) { return; }
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) { return; }
      el.title = el.textContent;
      el.textContent = dateTime.format(when);
      el.dataset.local = "1";
    });
  }

  function regionUrl(name) {
    var url = new URL(window.location.href);
    url.searchParams.set("_live", name);
    url.searchParams.delete("notice");
    return url.toString();
  }

  var etags = {};
  var busy = false;

  function refresh() {
    if (document.hidden || busy) { return; }
    var regions = Array.prototype.slice.call(document.querySelectorAll("[data-live]"));
    if (regions.length === 0) { return; }
    busy = true;
    Promise.all(regions.map(function (region) {
      var name = region.dataset.live;
      var known = etags[name] || region.dataset.etag;
      var headers = known ? { "If-None-Match": known } : {};
      return fetch(regionUrl(name), { headers: headers, credentials: "same-origin" }).then(function (response) {
        if (response.status !== 200) { return; }
        var etag = response.headers.get("ETag");
        return response.text().then(function (html) {
          // Not under someone typing: a focused field, or one whose value was changed (a half-filled form keeps its text).
          if (region.contains(document.activeElement) && document.activeElement.matches("input, select, textarea")) { return; }
          if (Array.prototype.some.call(region.querySelectorAll("input:not([type=hidden]), textarea"), function (el) { return el.value !== el.defaultValue; })) { return; }
          etags[name] = etag;
          var keepScroll = region.scrollTop;
          region.innerHTML = html;
          region.scrollTop = keepScroll;
          localTimes(region);
          region.dispatchEvent(new CustomEvent("flows:updated", { bubbles: true }));
        });
      }).catch(function () { /* the next round tries again */ });
    })).finally(function () { busy = false; });
  }

  function atBottom(list) { return list.scrollHeight - list.scrollTop - list.clientHeight < 24; }

  function followLogs(root) {
    root.querySelectorAll("ol.logs").forEach(function (list) {
      var region = list.closest("[data-live]") || list;
      if (region.dataset.follow !== "no") { list.scrollTop = list.scrollHeight; }
      list.addEventListener("scroll", function () { region.dataset.follow = atBottom(list) ? "yes" : "no"; });
    });
  }

  document.addEventListener("flows:updated", function (event) { followLogs(event.target); });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    followLogs(document);
    var interval = parseInt(document.body.dataset.refresh || "2000", 10);
    window.setInterval(refresh, interval);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } });
  });
})();
