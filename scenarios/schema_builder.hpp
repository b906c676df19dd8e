// Collects the "$defs" of the scenario's JSON Schema while it is generated
// from the field tables (scenarios/fields.hpp), so that a definition used in
// several places (a distribution, a node) is written once and referred to.
//
//   SchemaBuilder b;
//   Json property = b.ref("distribution", [](SchemaBuilder& bb) { return ...; });
//   root["$defs"] = b.defs();
#pragma once

#include <functional>
#include <string>

#include "scenarios/json_reader.hpp"

namespace orchsim::scenarios {

class SchemaBuilder {
 public:
  // {"$ref": "#/$defs/<name>"}; `make` runs the first time a name is asked for
  // (a definition may refer to itself: a mixture's components are distributions).
  Json ref(const std::string& name, const std::function<Json(SchemaBuilder&)>& make);
  const Json& defs() const { return defs_; }

 private:
  Json defs_ = Json::object();
};

}  // namespace orchsim::scenarios
