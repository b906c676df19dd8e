#include "scenarios/schema_builder.hpp"

namespace orchsim::scenarios {

Json SchemaBuilder::ref(const std::string& name, const std::function<Json(SchemaBuilder&)>& make) {
  if (!defs_.contains(name)) {
    defs_[name] = Json();  // claimed first: a definition may refer to itself
    defs_[name] = make(*this);
  }
  return Json{{"$ref", "#/$defs/" + name}};
}

}  // namespace orchsim::scenarios
