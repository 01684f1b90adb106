/* eventmap: draws places, focus points and the time layer from JSON data.
 *
 * All untrusted text (titles, sources, sentences, names) is put into the
 * page with textContent and every link target is re-checked to be http(s):
 * nothing from the data is ever parsed as HTML or evaluated as code.
 */
(function (root) {
  "use strict";
  if (root.eventmap) { return; }
  var em = {};
  var SAFE_URL = /^https?:\/\//i;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  // Untrusted text next to other text: its own bidi isolate with its own direction (dir="auto"
  // makes the element isolate), so an Arabic title or a U+202E in a source cannot reorder the
  // date, counts or links drawn after it.
  function iso(e) {
    e.setAttribute("dir", "auto");
    return e;
  }

  function plural(n, word) {
    n = Number(n) || 0;
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function link(href, text, cls) {
    var a = el("a", cls, text);
    a.setAttribute("href", href);
    return a;
  }

  // Article row: [id, title, url, date, source, page]
  function articleTitle(data, ai, withPage, anchor) {
    var a = data.articles[ai];
    var frag = document.createDocumentFragment();
    var title = a[1] || a[0];
    if (a[2] && SAFE_URL.test(a[2])) {
      var ext = iso(link(a[2], title, "em-title"));
      ext.setAttribute("target", "_blank");
      ext.setAttribute("rel", "noopener noreferrer nofollow");
      frag.appendChild(ext);
    } else {
      frag.appendChild(iso(el("span", "em-title", title)));
    }
    var meta = [];
    if (a[3]) { meta.push(a[3]); }
    if (a[4]) { meta.push(a[4]); }
    if (meta.length) {
      var ms = el("span", "em-meta");
      meta.forEach(function (x) {
        ms.appendChild(document.createTextNode(" \u00b7 "));
        ms.appendChild(iso(el("span", null, x)));
      });
      frag.appendChild(ms);
    }
    if (withPage && a[5]) {
      frag.appendChild(document.createTextNode(" "));
      frag.appendChild(link(a[5] + (anchor !== null && anchor >= 0 ? "#m-" + anchor : ""), "article page \u2192", "em-page"));
    }
    return frag;
  }

  function sentence(text, hs, he) {
    var q = el("blockquote", "em-sentence");
    if (!text) { return q; }
    if (hs >= 0 && he > hs && he <= text.length) {
      q.appendChild(document.createTextNode(text.slice(0, hs)));
      q.appendChild(el("mark", null, text.slice(hs, he)));
      q.appendChild(document.createTextNode(text.slice(he)));
    } else {
      q.textContent = text;
    }
    return q;
  }

  // Place row: [id, lat, lon, name, nArticles, nMentions, low, confidence,
  //             country, fcode, entries, more]; entry: [ai, mi, text, hs, he]
  function placePopup(data, p) {
    var box = el("div", "em-popup");
    box.setAttribute("data-place", p[0]);
    box.appendChild(el("div", "em-place", p[3]));
    var counts = plural(p[4], "article") + ", " + plural(p[5], "mention");
    if (p[8]) { counts += " \u00b7 " + p[8]; }
    box.appendChild(el("div", "em-counts", counts));
    if (p[6]) {
      box.appendChild(el("div", "em-low", "low confidence (" + Number(p[7]).toFixed(2) + ")"));
    }
    var list = el("ol", "em-articles");
    var entries = p[10] || [];
    for (var i = 0; i < entries.length; i++) {
      var e = entries[i];
      var li = el("li");
      li.appendChild(articleTitle(data, e[0], true, e[1]));
      li.appendChild(sentence(e[2], e[3], e[4]));
      list.appendChild(li);
    }
    box.appendChild(list);
    if (p[11] > 0) { box.appendChild(el("div", "em-more", "and " + plural(p[11], "more article"))); }
    return box;
  }

  function placeTooltip(p) {
    var t = el("div", "em-tip");
    t.appendChild(iso(el("b", null, p[3])));
    t.appendChild(el("span", null, " \u2014 " + plural(p[4], "article") + ", " + plural(p[5], "mention")));
    return t;
  }

  function placeIcon(p) {
    var n = Number(p[4]) || 0;
    var size = Math.round(18 + 7 * Math.log(1 + n) / Math.LN2);
    var inner = el("span", null, String(n));
    inner.setAttribute("data-place", p[0]);
    return L.divIcon({
      className: "em-marker" + (p[6] ? " em-marker-low" : ""),
      html: inner,
      iconSize: [size, size]
    });
  }

  em.places = function (map, group, data) {
    var markers = Object.create(null);  // no prototype: a place id "__proto__" is a key like any other
    var layers = [];
    data.places.forEach(function (p) {
      var m = L.marker([p[1], p[2]], {icon: placeIcon(p), title: "", riseOnHover: true});
      m.bindPopup(function () { return placePopup(data, p); }, {maxWidth: 380, minWidth: 240, autoPanPadding: [20, 20]});
      m.bindTooltip(function () { return placeTooltip(p); }, {direction: "top"});
      m.emPlace = p[0];
      markers[p[0]] = m;
      layers.push(m);
    });
    group.addLayers(layers);
    group.emMarkers = markers;
    return markers;
  };

  // Focus row: [lat, lon, ai, focusName]. Built when the layer is first shown
  // (thousands of vector markers cost seconds the map should not wait for),
  // drawn on a canvas.
  em.focus = function (map, group, data) {
    var built = false;
    group.on("add", function () {
      if (built) { return; }
      built = true;
      var renderer = L.canvas({padding: 0.5});
      data.focus.forEach(function (f) {
        var m = L.circleMarker([f[0], f[1]], {renderer: renderer, radius: 5, color: "#6a3d9a", weight: 2,
                                              fillColor: "#cab2d6", fillOpacity: 0.9});
        m.bindPopup(function () {
          var box = el("div", "em-popup em-focus");
          box.appendChild(el("div", "em-place", "Article focus: " + (f[3] || "")));
          box.appendChild(articleTitle(data, f[2], true, null));
          return box;
        }, {maxWidth: 360});
        m.bindTooltip(function () { return el("div", "em-tip", data.articles[f[2]][1] || data.articles[f[2]][0]); });
        group.addLayer(m);
      });
    });
  };

  // Time row: [placeIndex, isoTime, count]. Returns a layer group that builds
  // the Leaflet.TimeDimension layer (and shows the slider) when first shown.
  em.timeLayer = function (map, data, period, control) {
    var wrapper = L.layerGroup();
    var inner = null;
    wrapper.on("add", function () {
      map.addControl(control);
      if (inner) { return; }
      var renderer = L.canvas({padding: 0.5});
      var features = data.time.map(function (t) {
        var p = data.places[t[0]];
        return {type: "Feature", geometry: {type: "Point", coordinates: [p[2], p[1]]},
                properties: {time: t[1], count: t[2], place: t[0]}};
      });
      var gj = L.geoJson({type: "FeatureCollection", features: features}, {
        pointToLayer: function (feature, latlng) {
          var n = feature.properties.count;
          return L.circleMarker(latlng, {renderer: renderer, radius: 4 + 3 * Math.log(1 + n) / Math.LN2,
                                         color: "#b15928", weight: 1, fillColor: "#ff7f00", fillOpacity: 0.7});
        },
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(function () {
            var p = data.places[feature.properties.place];
            var t = el("div", "em-tip");
            t.appendChild(iso(el("b", null, p[3])));
            t.appendChild(el("span", null, " \u2014 " + plural(feature.properties.count, "mention") + " from " +
                                           feature.properties.time.slice(0, 10)));
            return t;
          });
        }
      });
      inner = L.timeDimension.layer.geoJson(gj, {updateTimeDimension: true, updateTimeDimensionMode: "union",
                                                 duration: period, addlastPoint: false});
      wrapper.addLayer(inner);
    });
    wrapper.on("remove", function () { map.removeControl(control); });
    return wrapper;
  };

  // map.html#place=ID → zoom to the place and open its popup.
  em.followHash = function (map, group) {
    function go() {
      var m = /(?:^#|&)place=([^&]*)/.exec(root.location.hash || "");
      if (!m || !group.emMarkers) { return; }
      var id;
      try { id = decodeURIComponent(m[1]); } catch (err) { return; }
      var marker = Object.prototype.hasOwnProperty.call(group.emMarkers, id) ? group.emMarkers[id] : null;
      if (!marker) { return; }
      if (!map.hasLayer(group)) { map.addLayer(group); }
      group.zoomToShowLayer(marker, function () { marker.openPopup(); });
    }
    root.addEventListener("hashchange", go);
    // After the rest of the page script (folium's fitBounds comes last) and
    // after its zoom animation: a zoom still running would re-cluster the place
    // and close the popup just opened.
    function settled() {
      if (map._animatingZoom) { map.once("zoomend", function () { root.setTimeout(settled, 0); }); return; }
      // fitBounds may pan (animated) without zooming; zooming to the place during that pan left
      // the marker cluster half-updated: the place was never drawn and its popup never opened
      if (map._panAnim && map._panAnim._inProgress) { map.once("moveend", function () { root.setTimeout(settled, 0); }); return; }
      go();
    }
    map.whenReady(function () { root.setTimeout(settled, 0); });
  };

  // The slider shows dates (the data is bucketed by day, week or month), not ISO instants.
  if (L.Control && L.Control.TimeDimension) {
    em.TimeControl = L.Control.TimeDimension.extend({
      _getDisplayDateFormat: function (date) { return date.toISOString().slice(0, 10); }
    });
  }

  em.legend = function (map, node) {
    var ctl = L.control({position: "bottomleft"});
    ctl.onAdd = function () {
      node.style.display = "block";
      L.DomEvent.disableClickPropagation(node);
      return node;
    };
    ctl.addTo(map);
  };

  root.eventmap = em;
})(window);
