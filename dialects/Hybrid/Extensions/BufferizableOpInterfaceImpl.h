//===- BufferizableOpInterfaceImpl.h - bufferization of hybrid ops -*- C++ -*-===//
#ifndef HYBRID_DIALECTS_HYBRID_EXTENSIONS_BUFFERIZABLEOPINTERFACEIMPL_H
#define HYBRID_DIALECTS_HYBRID_EXTENSIONS_BUFFERIZABLEOPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace hybrid {
/// Attaches the BufferizableOpInterface external models to every hybrid op so
/// that upstream `one-shot-bufferize` handles them.
void registerBufferizableOpInterfaceExternalModels(
    mlir::DialectRegistry &registry);
} // namespace hybrid

#endif // HYBRID_DIALECTS_HYBRID_EXTENSIONS_BUFFERIZABLEOPINTERFACEIMPL_H
