// HTML for plugins' pages (http.h: HttpContext::Page): escaping, and mustache templates
// (kainjow mustache, header-only, Debian libkainjow-mustache-dev) whose {{name}} escapes and
// whose {{{name}}} does not.
//
// Every text a page shows that came from data (a subject's name, an address, a result) goes
// through Escape or a {{name}} of a template, never into HTML as it is: the attack suite stores
// <script> in names and addresses and looks for it. {{{name}}} only for HTML this plugin built
// itself from escaped parts.
//
//   static const std::string kTemplate = "<h1>{{title}}</h1><ul>{{#rows}}<li>{{name}}</li>{{/rows}}</ul>";
//   xj::html::Data rows{xj::html::Data::type::list};
//   for (const auto& s : subjects) { xj::html::Data row; row.set("name", s.name); rows.push_back(row); }
//   xj::html::Data data;
//   data.set("title", "检查对象 / Subjects");
//   data.set("rows", rows);
//   auto html = xj::html::Render(kTemplate, data);   // kInternal naming the template's error
//
// Bilingual pages: the site shows Chinese first and English on the visitor's switch
// (HttpContext::lang()). Write both in a template, {{#en}}English{{/en}}{{^en}}中文{{/en}}, with
// Data::set("en", lang == "en"); or pick one with Pick.
//
// Thread safety: plain functions; a Data belongs to its caller.
#pragma once

#include <kainjow/mustache.hpp>
#include <string>
#include <string_view>

#include "xinjian/status.h"

namespace xj::html {

using Data = kainjow::mustache::data;

// `text` with & < > " ' escaped: safe in element content and in a quoted attribute value.
inline std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// `tmpl` rendered with `data`. kInternal with the template's error (a template is the plugin's
// own text: an error is a bug, not the visitor's).
inline Result<std::string> Render(const std::string& tmpl, const Data& data) {
  kainjow::mustache::mustache m{tmpl};
  m.set_custom_escape([](const std::string& s) { return Escape(s); });
  if (!m.is_valid())
    return Status::Error(StatusCode::kInternal, "页面模板错误：" + m.error_message(), "page template error: " + m.error_message());
  std::string out = m.render(data);
  if (!m.is_valid())
    return Status::Error(StatusCode::kInternal, "页面模板错误：" + m.error_message(), "page template error: " + m.error_message());
  return out;
}

// The text of the visitor's language: `en` when lang is "en", else `zh`.
inline const std::string& Pick(const std::string& lang, const std::string& zh, const std::string& en) {
  return lang == "en" ? en : zh;
}

}  // namespace xj::html
