/* crm-as-code: opens an encrypted site (crm build --encrypt) in the browser with WebCrypto only.

   Every page of an encrypted site is an unlock page carrying the real page sealed (#crm-sealed: AES-256-GCM
   under the build key K = HKDF-SHA256(L, the build's salt B), where the site key L = PBKDF2-HMAC-SHA256 of
   the passphrase and the site salt S, crm.yaml's site.key_salt, the same at every build). The reader types
   the passphrase once: L is derived (slow, once) and kept, never the passphrase, in sessionStorage, or in
   localStorage when "remember on this device" is ticked, under S. Every page, and every later build with
   the same S, then opens with one fast HKDF: the CI's morning rebuild does not ask again. A wrong
   passphrase, or a remembered L that no longer opens the site (a new passphrase), fails GCM's tag: the
   page says so (or forgets the stored L and asks) and shows nothing.

   Once open, the page is written in place of the unlock page (document.write keeps this window, so what is
   set here stays): fetch and XMLHttpRequest of the page open sealed files (customers/index.json for crm.js,
   search/search_index.json for material's search) transparently, and window.crmSite.lock() forgets the key
   (crm.js puts a lock button in the header). */
(function () {
  "use strict";

  var FORMAT = "crm-sealed-2";
  var BUILD_KEY_INFO = "crm-as-code site v2"; /* site_builder/encrypt.py BUILD_KEY_INFO */
  var PREFIX = "crm-site-key:";
  var sealedNode = document.getElementById("crm-sealed");
  if (!sealedNode) return;
  var envelope = JSON.parse(sealedNode.textContent);
  var words = JSON.parse(document.getElementById("crm-unlock-words").textContent);
  var storageName = PREFIX + envelope.site_salt;
  var subtle = window.crypto && window.crypto.subtle;

  function bytes(text) {
    var binary = atob(text), out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }

  function text64(buffer) {
    var view = new Uint8Array(buffer), binary = "";
    for (var i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode.apply(null, view.subarray(i, i + 0x8000));
    return btoa(binary);
  }

  function stores() {
    var found = [];
    [function () { return window.sessionStorage; }, function () { return window.localStorage; }].forEach(function (get) {
      try { var store = get(); if (store) found.push(store); } catch (blocked) { /* storage off: type it per page */ }
    });
    return found;
  }

  function store(name) {
    try { return window[name] || null; } catch (blocked) { return null; }
  }

  function forgetKeys(except) {
    stores().forEach(function (store) {
      for (var i = store.length - 1; i >= 0; i--) {
        var name = store.key(i);
        if (name && name.indexOf(PREFIX) === 0 && !(store === except && name === storageName)) store.removeItem(name);
      }
    });
  }

  function storedKey() {
    var found = null;
    stores().forEach(function (store) { found = found || store.getItem(storageName); });
    return found;
  }

  /* L, the site key: the slow PBKDF2, once per passphrase typed. Its raw bytes are what is stored. */
  function deriveSiteKey(passphrase) {
    return subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveBits"])
      .then(function (material) {
        return subtle.deriveBits(
          { name: "PBKDF2", hash: "SHA-256", salt: bytes(envelope.site_salt), iterations: envelope.iterations },
          material,
          256
        );
      });
  }

  /* An opener of sealed files under L: K = HKDF(L, B) for each build salt met (derived once, kept in this
     page), so a file of a newer build of the same site (a cached page, a fresh index.json) opens too. */
  function opener(rawSiteKey) {
    var siteKey = subtle.importKey("raw", rawSiteKey, "HKDF", false, ["deriveKey"]);
    var buildKeys = {};
    return function open(sealed) {
      if (sealed.format !== FORMAT || sealed.site_salt !== envelope.site_salt) {
        return Promise.reject(new Error("a sealed file of another site salt: reload the page"));
      }
      if (!buildKeys[sealed.build_salt]) {
        buildKeys[sealed.build_salt] = siteKey.then(function (key) {
          return subtle.deriveKey(
            { name: "HKDF", hash: "SHA-256", salt: bytes(sealed.build_salt), info: new TextEncoder().encode(BUILD_KEY_INFO) },
            key,
            { name: "AES-GCM", length: 256 },
            false,
            ["decrypt"]
          );
        });
      }
      return buildKeys[sealed.build_salt].then(function (key) {
        return subtle.decrypt({ name: "AES-GCM", iv: bytes(sealed.nonce) }, key, bytes(sealed.data));
      });
    };
  }

  function isEnvelope(text) {
    return text.lastIndexOf('{"format":"' + FORMAT + '"', 0) === 0;
  }

  /* fetch and XMLHttpRequest of the opened page: a sealed answer comes back opened, anything else as it was. */
  function installOpeners(open) {
    var plainFetch = window.fetch.bind(window);
    window.fetch = function (input, init) {
      return plainFetch(input, init).then(function (response) {
        if (!response.ok) return response;
        return response.clone().text().then(function (body) {
          if (!isEnvelope(body)) return response;
          return open(JSON.parse(body)).then(function (plain) {
            return new Response(plain, { status: response.status, statusText: response.statusText, headers: response.headers });
          });
        });
      });
    };

    function SealedRequest() {
      this.readyState = 0;
      this.status = 0;
      this.statusText = "";
      this.response = null;
      this.responseText = "";
      this.responseType = "";
      this.withCredentials = false;
      this._listeners = {};
    }
    SealedRequest.prototype.open = function (method, url) { this._method = method; this._url = String(url); this.readyState = 1; };
    SealedRequest.prototype.setRequestHeader = function () {};
    SealedRequest.prototype.overrideMimeType = function () {};
    SealedRequest.prototype.addEventListener = function (type, listener) {
      (this._listeners[type] = this._listeners[type] || []).push(listener);
    };
    SealedRequest.prototype.removeEventListener = function (type, listener) {
      this._listeners[type] = (this._listeners[type] || []).filter(function (other) { return other !== listener; });
    };
    SealedRequest.prototype.getResponseHeader = function (name) { return this._headers ? this._headers.get(name) : null; };
    SealedRequest.prototype.getAllResponseHeaders = function () { return ""; };
    SealedRequest.prototype._emit = function (type) {
      var self = this, event = { type: type, target: self, lengthComputable: false, loaded: 0, total: 0 };
      if (typeof self["on" + type] === "function") self["on" + type](event);
      (self._listeners[type] || []).forEach(function (listener) { listener.call(self, event); });
    };
    SealedRequest.prototype.abort = function () { this._aborted = true; this._emit("abort"); };
    SealedRequest.prototype.send = function (body) {
      var self = this;
      window.fetch(self._url, { method: self._method, body: body, credentials: "same-origin" })
        .then(function (response) {
          self.status = response.status;
          self.statusText = response.statusText;
          self._headers = response.headers;
          return response.blob();
        })
        .then(function (blob) {
          if (self.responseType === "blob") return blob;
          return blob.text().then(function (body) {
            self.responseText = body;
            return self.responseType === "json" ? JSON.parse(body) : body;
          });
        })
        .then(function (value) {
          if (self._aborted) return;
          self.response = value;
          self.readyState = 4;
          self._emit("readystatechange");
          self._emit("load");
          self._emit("loadend");
        }, function () {
          if (self._aborted) return;
          self.readyState = 4;
          self._emit("error");
          self._emit("loadend");
        });
    };
    window.XMLHttpRequest = SealedRequest;
  }

  function show(open, page) {
    window.crmSite = {
      words: words,
      build: envelope.build_salt,
      lock: function () {
        forgetKeys(null);
        window.location.reload();
      }
    };
    installOpeners(open);
    var html = new TextDecoder().decode(page);
    document.open();
    document.write(html);
    document.close();
  }

  function whenReady(then) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", then);
    else then();
  }

  /* Writing the page while the unlock page is still being parsed, or from its DOMContentLoaded, leaves the
     written page's scripts unrun in chromium: write it once the unlock page has loaded. */
  function whenLoaded(then) {
    if (document.readyState === "complete") then();
    else window.addEventListener("load", function () { setTimeout(then, 0); });
  }

  function askForPassphrase(message) {
    whenReady(function () {
      var form = document.getElementById("crm-unlock");
      var error = document.getElementById("crm-unlock-error");
      var input = document.getElementById("crm-passphrase");
      var remember = document.getElementById("crm-remember");
      var button = form.querySelector("button");
      form.hidden = false;
      error.textContent = message || "";
      if (!subtle) {
        error.textContent = words.unlock_no_crypto;
        button.disabled = true;
        return;
      }
      input.focus();
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        button.disabled = true;
        error.textContent = words.unlock_working;
        var raw, open;
        deriveSiteKey(input.value)
          .then(function (bits) { raw = bits; open = opener(bits); return open(envelope); })
          .then(function (page) {
            /* the raw bytes of L: localStorage keeps strings only, so a non-extractable CryptoKey cannot be
               stored there (the site's guide says so) */
            var keep = store(remember.checked ? "localStorage" : "sessionStorage");
            forgetKeys(keep);
            if (keep) keep.setItem(storageName, text64(raw));
            show(open, page);
          }, function () {
            button.disabled = false;
            error.textContent = words.unlock_wrong;
            input.select();
          });
      });
    });
  }

  var remembered = subtle ? storedKey() : null;
  if (remembered && !/^[A-Za-z0-9+\/]+=*$/.test(remembered)) remembered = null; /* not base64: not ours */
  if (!remembered) {
    askForPassphrase("");
    return;
  }
  var rememberedOpen = opener(bytes(remembered));
  rememberedOpen(envelope)
    .then(function (page) { whenLoaded(function () { show(rememberedOpen, page); }); })
    .catch(function () { /* stored by an older crm, or a passphrase since changed: ask */
      forgetKeys(null);
      askForPassphrase("");
    });
})();
