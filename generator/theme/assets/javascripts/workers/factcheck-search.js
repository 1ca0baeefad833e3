/*
 * The site's search worker: Material for MkDocs' own worker, loaded unchanged, with two repairs.
 *
 * main.html names this file as the search worker and passes the name of Material's worker file,
 * which sits beside it (?material=search.<hash>.min.js). Material 9 has no hook to transform a
 * query (the `__search.transform` of earlier versions is gone), and the worker URL in the page's
 * config is the one place the theme lets a site plug into search.
 *
 * 1. Every query is folded as the index was folded at build time (generator/search_index.py):
 *    the index config carries the table (`fold`), so `O’Brien` typed on a phone, or fullwidth
 *    letters, find what `O'Brien` finds. The query box keeps what the reader typed.
 * 2. Lunr's token set is built without collisions. Lunr 2.3.9 keys the nodes of its word graph by
 *    writing each edge as its character then the child node's number, with no separator, so two
 *    different nodes can get the same key when edges are digits: edge "2" to node 751 and edges
 *    "2" to node 7 plus "5" to node 1 both write "02751". Minimising the graph then merges them,
 *    the token set names words the index does not hold, and a query that reaches one throws in
 *    the worker: "No matching documents" for every query sharing its first letters. A comma
 *    after each node number makes every key unique.
 */
(function () {
  "use strict"

  // Material's SearchMessageType: SETUP, READY, QUERY, RESULT.
  var SETUP = 0
  var QUERY = 2

  var material = new URL(self.location.href).searchParams.get("material") || ""
  // Only Material's worker file beside this one: a page cannot make this worker load anything else.
  if (!/^search\.[0-9a-f]+\.min\.js$/.test(material))
    throw new Error("factcheck-search: the page names no Material search worker")

  var table = {}

  function fold(query) {
    var folded = ""
    for (var i = 0; i < query.length; i++) {
      var c = query.charAt(i)
      folded += Object.prototype.hasOwnProperty.call(table, c) ? table[c] : c
    }
    return folded
  }

  // Registered before Material's worker loads, so it sees each message first.
  self.addEventListener("message", function (event) {
    var message = event.data
    if (!message)
      return
    if (message.type === SETUP) {
      var config = message.data && message.data.config
      table = config && config.fold && typeof config.fold === "object" ? config.fold : {}
    } else if (message.type === QUERY && typeof message.data === "string") {
      Object.defineProperty(event, "data", { value: { type: QUERY, data: fold(message.data) } })
    }
  })

  importScripts(material)

  var lunr = self.lunr
  if (lunr && lunr.TokenSet) {
    lunr.TokenSet.prototype.toString = function () {
      if (this._str)
        return this._str
      var key = this.final ? "1" : "0"
      var labels = Object.keys(this.edges).sort()
      for (var i = 0; i < labels.length; i++)
        key += labels[i] + this.edges[labels[i]].id + ","
      return key
    }
  }
})()
