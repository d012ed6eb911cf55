// Exports xj_plugin_abi but no xj_plugin_init.
#include <xinjian/plugin.h>

XJ_PLUGIN_EXPORT xj::PluginAbi xj_plugin_abi() { return xj::CurrentPluginAbi(); }
