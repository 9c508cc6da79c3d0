//===- ABI.cpp - entry signatures, ABI tables and the C header -------------===//
//
// A compiled library describes itself with the tables of
// runtime/include/hybrid/abi.h. This file reads the entry functions'
// signatures from the tensor-level module (ONNX names, element types, symbolic
// dims, kept by the importer as argument/result attributes), writes those
// tables and a uniform call trampoline per entry into the LLVM module, and
// writes the C header that documents the library.
//
//===----------------------------------------------------------------------===//
#include "lib/Target/CPU/ABI.h"
#include "lib/Target/CPU/Weights.h"

#include "hybrid/runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using llvm::StringRef;

namespace {
/// The element type a graph input or output has in ONNX's numbering: the
/// importer's `onnx.elem_type` when it agrees in width with the MLIR type (it
/// keeps signedness), else the MLIR type's own. 0 when unsupported.
int32_t dtypeOf(Type elt, Attribute onnxElemType) {
  int32_t fromType = 0;
  if (elt.isF32())
    fromType = HYBRID_DTYPE_F32;
  else if (elt.isF16())
    fromType = HYBRID_DTYPE_F16;
  else if (elt.isBF16())
    fromType = HYBRID_DTYPE_BF16;
  else if (elt.isF64())
    fromType = HYBRID_DTYPE_F64;
  else if (auto i = dyn_cast<IntegerType>(elt)) {
    bool isUnsigned = i.isUnsigned();
    switch (i.getWidth()) {
    case 1: fromType = HYBRID_DTYPE_BOOL; break;
    case 4: fromType = isUnsigned ? HYBRID_DTYPE_U4 : HYBRID_DTYPE_I4; break;
    case 8: fromType = isUnsigned ? HYBRID_DTYPE_U8 : HYBRID_DTYPE_I8; break;
    case 16: fromType = isUnsigned ? HYBRID_DTYPE_U16 : HYBRID_DTYPE_I16; break;
    case 32: fromType = isUnsigned ? HYBRID_DTYPE_U32 : HYBRID_DTYPE_I32; break;
    case 64: fromType = isUnsigned ? HYBRID_DTYPE_U64 : HYBRID_DTYPE_I64; break;
    default: break;
    }
  }
  // Signed and unsigned integers of one width share MLIR's signless type: the
  // ONNX type decides, when it is an integer type of that width.
  auto isInteger = [](int32_t d) {
    switch (d) {
    case HYBRID_DTYPE_U4: case HYBRID_DTYPE_I4: case HYBRID_DTYPE_U8: case HYBRID_DTYPE_I8:
    case HYBRID_DTYPE_U16: case HYBRID_DTYPE_I16: case HYBRID_DTYPE_U32: case HYBRID_DTYPE_I32:
    case HYBRID_DTYPE_U64: case HYBRID_DTYPE_I64: return true;
    default: return false;
    }
  };
  auto attr = dyn_cast_or_null<IntegerAttr>(onnxElemType);
  if (!attr || !isInteger(fromType))
    return fromType;
  int32_t onnx = static_cast<int32_t>(attr.getInt());
  return isInteger(onnx) && hybrid_dtype_size(onnx) == hybrid_dtype_size(fromType) ? onnx
                                                                                  : fromType;
}

FailureOr<hybrid::TensorSignature> tensorSignature(Operation *func, Type type,
                                                   DictionaryAttr attrs, StringRef what,
                                                   unsigned index) {
  hybrid::TensorSignature sig;
  auto named = attrs ? dyn_cast_or_null<StringAttr>(attrs.get("onnx.name")) : nullptr;
  sig.name = named ? named.str() : (what + std::to_string(index)).str();
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasRank() || (!isa<RankedTensorType>(type) && !isa<MemRefType>(type))) {
    func->emitError() << what << " " << index << " ('" << sig.name << "') has type " << type
                      << "; an entry point takes and returns ranked tensors only";
    return failure();
  }
  if (auto memref = dyn_cast<MemRefType>(type); memref && !memref.getLayout().isIdentity()) {
    func->emitError() << what << " " << index << " ('" << sig.name
                      << "') is a strided buffer; an entry point takes dense ones only";
    return failure();
  }
  sig.dtype = dtypeOf(shaped.getElementType(), attrs ? attrs.get("onnx.elem_type") : nullptr);
  if (!sig.dtype) {
    func->emitError() << what << " " << index << " ('" << sig.name << "') has element type "
                      << shaped.getElementType() << ", which the runtime cannot hold";
    return failure();
  }
  for (int64_t d : shaped.getShape())
    sig.dims.push_back(ShapedType::isDynamic(d) ? -1 : d);
  if (auto names = attrs ? dyn_cast_or_null<ArrayAttr>(attrs.get("onnx.dim_params")) : nullptr;
      names && names.size() == sig.dims.size())
    for (Attribute n : names)
      sig.dimNames.push_back(isa<StringAttr>(n) ? cast<StringAttr>(n).str() : "");
  return sig;
}
} // namespace

SmallVector<func::FuncOp> hybrid::entryFunctions(ModuleOp module) {
  SmallVector<func::FuncOp> marked, all;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (!f.isPublic() || f.isDeclaration())
      continue;
    all.push_back(f);
    if (f->hasAttr("llvm.emit_c_interface"))
      marked.push_back(f);
  }
  return marked.empty() ? all : marked;
}

FailureOr<std::vector<hybrid::FunctionSignature>>
hybrid::collectEntrySignatures(ModuleOp module) {
  SmallVector<func::FuncOp> entries = entryFunctions(module);
  if (entries.empty()) {
    module.emitError("has no public function to compile as an entry point");
    return failure();
  }
  std::vector<FunctionSignature> sigs;
  for (func::FuncOp f : entries) {
    FunctionSignature sig;
    sig.name = f.getSymName().str();
    for (auto [i, type] : llvm::enumerate(f.getArgumentTypes())) {
      auto t = tensorSignature(f, type, f.getArgAttrDict(i), "input", i);
      if (failed(t))
        return failure();
      sig.inputs.push_back(std::move(*t));
    }
    for (auto [i, type] : llvm::enumerate(f.getResultTypes())) {
      auto t = tensorSignature(f, type, f.getResultAttrDict(i), "output", i);
      if (failed(t))
        return failure();
      sig.outputs.push_back(std::move(*t));
    }
    sigs.push_back(std::move(sig));
  }
  return sigs;
}

std::string hybrid::cIdentifier(StringRef name) {
  std::string id;
  for (char c : name)
    id += llvm::isAlnum(c) ? c : '_';
  if (id.empty() || llvm::isDigit(id[0]))
    id = "m_" + id;
  return id;
}

//===----------------------------------------------------------------------===//
// The tables in LLVM IR
//===----------------------------------------------------------------------===//

namespace {
/// Defines the functions through which compiled code reaches the runtime's
/// hooks (hybrid_abi_exec): the pipeline declares them, calls to them are
/// everywhere in the model, and here they get bodies that read the exec of the
/// current call from a thread-local variable, falling back to libc (and to the
/// calling thread) when a hook is absent.
///
///   __hybrid_parallel_for(task, ctx, n, cost)   a parallel loop (the outlined
///       body `task` over [0, n)) through exec->parallel_for; each slice runs
///       under a trampoline that sets the thread's exec first, so a worker's
///       allocations go through the same call's hooks. Every call with a known
///       body gets that body's own trampoline (__hybrid_task.<body>), so the
///       task pointer the runtime sees names the loop;
///   _mlir_memref_to_llvm_{alloc,aligned_alloc,free}   every buffer (MLIR's
///       generic allocation functions, `use-generic-functions`);
///   __hybrid_kernel_begin/_end(k)   the profiler's brackets.
///
/// Returns the thread-local exec variable, which the invoke trampolines set.
llvm::GlobalVariable *defineRuntimeHooks(llvm::Module &m, bool gpu, std::string &error) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *ptrTy = llvm::PointerType::getUnqual(ctx);
  auto *i32 = llvm::Type::getInt32Ty(ctx);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  auto *voidTy = llvm::Type::getVoidTy(ctx);
  // hybrid_abi_exec: { user, parallel_for, alloc, free, kernel_begin, kernel_end,
  // gpu_function, gpu_launch, gpu_synchronize }.
  enum {
    User, ParallelFor, Alloc, Free, KernelBegin, KernelEnd,
    GpuFunction, GpuLaunch, GpuSynchronize, NumFields
  };
  auto *execTy = llvm::StructType::create(ctx, SmallVector<llvm::Type *>(NumFields, ptrTy),
                                          "hybrid_abi_exec");
  auto *current = new llvm::GlobalVariable(m, ptrTy, false, llvm::GlobalValue::InternalLinkage,
                                           llvm::ConstantPointerNull::get(ptrTy),
                                           "__hybrid_current_exec", nullptr,
                                           llvm::GlobalValue::GeneralDynamicTLSModel);

  // The function `name` with `type`: the pipeline's declaration when there is
  // one (given a body here), else a new internal one.
  auto define = [&](StringRef name, llvm::FunctionType *type) -> llvm::Function * {
    llvm::Function *f = m.getFunction(name);
    if (!f)
      f = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage, name, m);
    if (!f->isDeclaration() || f->getFunctionType() != type) {
      error = "'" + name.str() + "' is declared with another type than the runtime ABI's";
      return nullptr;
    }
    f->setLinkage(llvm::GlobalValue::InternalLinkage);
    return f;
  };
  auto libc = [&](StringRef name, llvm::FunctionType *type) {
    return m.getOrInsertFunction(name, type);
  };
  auto field = [&](llvm::IRBuilder<> &b, llvm::Value *exec, unsigned k) {
    return b.CreateLoad(ptrTy, b.CreateStructGEP(execTy, exec, k));
  };
  // Emits `if (exec && exec->f1 && exec->f2 ...) hooked() else fallback()` and
  // returns the merged value (or nullptr for void).
  auto branchOnHooks =
      [&](llvm::Function *f, ArrayRef<unsigned> fields,
          llvm::function_ref<llvm::Value *(llvm::IRBuilder<> &, llvm::Value *exec)> hooked,
          llvm::function_ref<llvm::Value *(llvm::IRBuilder<> &)> fallback) {
        auto *entry = llvm::BasicBlock::Create(ctx, "entry", f);
        auto *check = llvm::BasicBlock::Create(ctx, "check", f);
        auto *yes = llvm::BasicBlock::Create(ctx, "hooked", f);
        auto *no = llvm::BasicBlock::Create(ctx, "fallback", f);
        llvm::IRBuilder<> b(entry);
        llvm::Value *exec = b.CreateLoad(ptrTy, b.CreateThreadLocalAddress(current));
        b.CreateCondBr(b.CreateIsNotNull(exec), check, no);
        b.SetInsertPoint(check);
        llvm::Value *all = b.getTrue();
        for (unsigned k : fields)
          all = b.CreateAnd(all, b.CreateIsNotNull(field(b, exec, k)));
        b.CreateCondBr(all, yes, no);
        b.SetInsertPoint(yes);
        llvm::Value *v1 = hooked(b, exec);
        llvm::BasicBlock *yesEnd = b.GetInsertBlock();
        b.SetInsertPoint(no);
        llvm::Value *v2 = fallback(b);
        llvm::BasicBlock *noEnd = b.GetInsertBlock();
        auto *join = llvm::BasicBlock::Create(ctx, "join", f);
        b.SetInsertPoint(yesEnd);
        b.CreateBr(join);
        b.SetInsertPoint(noEnd);
        b.CreateBr(join);
        b.SetInsertPoint(join);
        if (!v1) {
          b.CreateRetVoid();
          return;
        }
        llvm::PHINode *phi = b.CreatePHI(v1->getType(), 2);
        phi->addIncoming(v1, yesEnd);
        phi->addIncoming(v2, noEnd);
        b.CreateRet(phi);
      };

  // A trampoline: void tramp(closure = {task, ctx, exec}*, i64 begin, i64 end)
  // sets the thread's exec, runs the loop body over [begin, end) and puts the
  // thread's exec back (a worker's slot: the same thread may later run slices
  // of other calls). `body` null: the body is the closure's task (the generic
  // __hybrid_task); else that function (one trampoline per parallel loop, so
  // the runtime can tell loops apart by their task pointer).
  auto *taskTy = llvm::FunctionType::get(voidTy, {ptrTy, i64, i64}, false);
  auto *closureTy = llvm::StructType::get(ctx, {ptrTy, ptrTy, ptrTy});
  auto makeTrampoline = [&](llvm::Function *body, const llvm::Twine &name) {
    auto *tramp =
        llvm::Function::Create(taskTy, llvm::GlobalValue::InternalLinkage, name, m);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", tramp));
    llvm::Value *slot = b.CreateThreadLocalAddress(current);
    llvm::Value *saved = b.CreateLoad(ptrTy, slot);
    llvm::Value *closure = tramp->getArg(0);
    b.CreateStore(b.CreateLoad(ptrTy, b.CreateStructGEP(closureTy, closure, 2)), slot);
    llvm::Value *callee =
        body ? static_cast<llvm::Value *>(body)
             : b.CreateLoad(ptrTy, b.CreateStructGEP(closureTy, closure, 0));
    b.CreateCall(taskTy, callee,
                 {b.CreateLoad(ptrTy, b.CreateStructGEP(closureTy, closure, 1)),
                  tramp->getArg(1), tramp->getArg(2)});
    b.CreateStore(saved, b.CreateThreadLocalAddress(current));
    b.CreateRetVoid();
    return tramp;
  };
  llvm::Function *task = makeTrampoline(nullptr, "__hybrid_task");

  // void __hybrid_parallel_via(task, ctx, n, cost, trampoline): the loop
  // through exec->parallel_for with `trampoline` as the runtime's task.
  auto *via = llvm::Function::Create(
      llvm::FunctionType::get(voidTy, {ptrTy, ptrTy, i64, i64, ptrTy}, false),
      llvm::GlobalValue::InternalLinkage, "__hybrid_parallel_via", m);
  branchOnHooks(
      via, {ParallelFor},
      [&](llvm::IRBuilder<> &b, llvm::Value *exec) -> llvm::Value * {
        llvm::Value *closure = b.CreateAlloca(closureTy);
        b.CreateStore(via->getArg(0), b.CreateStructGEP(closureTy, closure, 0));
        b.CreateStore(via->getArg(1), b.CreateStructGEP(closureTy, closure, 1));
        b.CreateStore(exec, b.CreateStructGEP(closureTy, closure, 2));
        b.CreateCall(llvm::FunctionType::get(voidTy, {ptrTy, ptrTy, ptrTy, i64, i64}, false),
                     field(b, exec, ParallelFor),
                     {field(b, exec, User), via->getArg(4), closure, via->getArg(2),
                      via->getArg(3)});
        return nullptr;
      },
      [&](llvm::IRBuilder<> &b) -> llvm::Value * {
        b.CreateCall(taskTy, via->getArg(0), {via->getArg(1), b.getInt64(0), via->getArg(2)});
        return nullptr;
      });

  if (llvm::Function *f = define("__hybrid_parallel_for",
                                 llvm::FunctionType::get(voidTy, {ptrTy, ptrTy, i64, i64}, false))) {
    {
      llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", f));
      b.CreateCall(via, {f->getArg(0), f->getArg(1), f->getArg(2), f->getArg(3), task});
      b.CreateRetVoid();
    }
    // Each parallel loop of the model (a call with a known body) gets its own
    // trampoline: the runtime learns per task pointer whether a loop is worth
    // the threads (runtime/src/sites.c).
    llvm::DenseMap<llvm::Function *, llvm::Function *> trampolines;
    for (llvm::User *u : llvm::make_early_inc_range(f->users())) {
      auto *call = llvm::dyn_cast<llvm::CallInst>(u);
      if (!call || call->getCalledFunction() != f || call->getFunction() == f)
        continue;
      auto *body = llvm::dyn_cast<llvm::Function>(call->getArgOperand(0));
      if (!body)
        continue;
      llvm::Function *&tramp = trampolines[body];
      if (!tramp)
        tramp = makeTrampoline(body, "__hybrid_task." + body->getName());
      llvm::IRBuilder<> b(call);
      b.CreateCall(via, {body, call->getArgOperand(1), call->getArgOperand(2),
                         call->getArgOperand(3), tramp});
      call->eraseFromParent();
    }
  }

  auto allocHookTy = llvm::FunctionType::get(ptrTy, {ptrTy, i64, i64}, false);
  if (llvm::Function *f =
          define("_mlir_memref_to_llvm_alloc", llvm::FunctionType::get(ptrTy, {i64}, false)))
    branchOnHooks(
        f, {Alloc, Free},
        [&](llvm::IRBuilder<> &b, llvm::Value *exec) -> llvm::Value * {
          return b.CreateCall(allocHookTy, field(b, exec, Alloc),
                              {field(b, exec, User), f->getArg(0), b.getInt64(16)});
        },
        [&](llvm::IRBuilder<> &b) -> llvm::Value * {
          return b.CreateCall(libc("malloc", llvm::FunctionType::get(ptrTy, {i64}, false)),
                              {f->getArg(0)});
        });
  if (llvm::Function *f = define("_mlir_memref_to_llvm_aligned_alloc",
                                 llvm::FunctionType::get(ptrTy, {i64, i64}, false)))
    branchOnHooks(
        f, {Alloc, Free},
        [&](llvm::IRBuilder<> &b, llvm::Value *exec) -> llvm::Value * {
          return b.CreateCall(allocHookTy, field(b, exec, Alloc),
                              {field(b, exec, User), f->getArg(1), f->getArg(0)});
        },
        [&](llvm::IRBuilder<> &b) -> llvm::Value * {
          // aligned_alloc wants a size that is a multiple of the alignment.
          llvm::Value *align = f->getArg(0);
          llvm::Value *rounded = b.CreateMul(
              b.CreateUDiv(b.CreateAdd(f->getArg(1), b.CreateSub(align, b.getInt64(1))), align),
              align);
          return b.CreateCall(
              libc("aligned_alloc", llvm::FunctionType::get(ptrTy, {i64, i64}, false)),
              {align, rounded});
        });
  if (llvm::Function *f =
          define("_mlir_memref_to_llvm_free", llvm::FunctionType::get(voidTy, {ptrTy}, false)))
    branchOnHooks(
        f, {Alloc, Free},
        [&](llvm::IRBuilder<> &b, llvm::Value *exec) -> llvm::Value * {
          b.CreateCall(llvm::FunctionType::get(voidTy, {ptrTy, ptrTy}, false),
                       field(b, exec, Free), {field(b, exec, User), f->getArg(0)});
          return nullptr;
        },
        [&](llvm::IRBuilder<> &b) -> llvm::Value * {
          b.CreateCall(libc("free", llvm::FunctionType::get(voidTy, {ptrTy}, false)),
                       {f->getArg(0)});
          return nullptr;
        });
  for (auto [name, k] : {std::pair<StringRef, unsigned>{"__hybrid_kernel_begin", KernelBegin},
                         {"__hybrid_kernel_end", KernelEnd}})
    if (llvm::Function *f = define(name, llvm::FunctionType::get(voidTy, {i32}, false))) {
      unsigned fieldIndex = k;
      branchOnHooks(
          f, {fieldIndex},
          [&](llvm::IRBuilder<> &b, llvm::Value *exec) -> llvm::Value * {
            b.CreateCall(llvm::FunctionType::get(voidTy, {ptrTy, i32}, false),
                         field(b, exec, fieldIndex), {field(b, exec, User), f->getArg(0)});
            return nullptr;
          },
          [&](llvm::IRBuilder<> &) -> llvm::Value * { return nullptr; });
    }
  if (gpu) {
    // MLIR's GPU runtime calls, which gpu-to-llvm and the gpu.binary
    // translation write, over the runtime's GPU hooks. A module "load" (in
    // the global constructors, before any call lends an exec) only hands the
    // embedded image's address on: the runtime loads images lazily, per
    // device context, and caches them with the module. Streams are the
    // runtime's: a launch goes on the call's stream, a synchronisation waits
    // for it.
    auto *trapTy = llvm::FunctionType::get(voidTy, false);
    auto trap = [&](llvm::IRBuilder<> &b) {
      // Without a runtime that lends GPU hooks the kernels cannot run; stop
      // rather than return results nothing computed.
      b.CreateCall(m.getOrInsertFunction("llvm.trap", trapTy));
    };
    for (StringRef name : {"mgpuModuleLoad", "mgpuModuleLoadJIT"}) {
      llvm::Type *second = name == "mgpuModuleLoad" ? static_cast<llvm::Type *>(i64) : i32;
      if (llvm::Function *f = define(name, llvm::FunctionType::get(ptrTy, {ptrTy, second}, false))) {
        llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", f));
        b.CreateRet(f->getArg(0));
      }
    }
    for (StringRef name : {"mgpuModuleUnload", "mgpuStreamDestroy"})
      if (llvm::Function *f = define(name, llvm::FunctionType::get(voidTy, {ptrTy}, false))) {
        llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", f));
        b.CreateRetVoid();
      }
    if (llvm::Function *f = define("mgpuStreamCreate", llvm::FunctionType::get(ptrTy, false))) {
      llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", f));
      b.CreateRet(llvm::ConstantPointerNull::get(ptrTy));
    }
    if (llvm::Function *f = define("mgpuModuleGetFunction",
                                   llvm::FunctionType::get(ptrTy, {ptrTy, ptrTy}, false)))
      branchOnHooks(
          f, {GpuFunction, GpuLaunch},
          [&](llvm::IRBuilder<> &b, llvm::Value *exec) -> llvm::Value * {
            return b.CreateCall(llvm::FunctionType::get(ptrTy, {ptrTy, ptrTy, ptrTy}, false),
                                field(b, exec, GpuFunction),
                                {field(b, exec, User), f->getArg(0), f->getArg(1)});
          },
          [&](llvm::IRBuilder<> &b) -> llvm::Value * {
            trap(b);
            return llvm::ConstantPointerNull::get(ptrTy);
          });
    if (llvm::Function *f = define(
            "mgpuLaunchKernel",
            llvm::FunctionType::get(voidTy,
                                    {ptrTy, i64, i64, i64, i64, i64, i64, i32, ptrTy, ptrTy,
                                     ptrTy, i64},
                                    false)))
      branchOnHooks(
          f, {GpuFunction, GpuLaunch},
          [&](llvm::IRBuilder<> &b, llvm::Value *exec) -> llvm::Value * {
            // gpu_launch(user, function, grid x/y/z, block x/y/z, shared bytes, params)
            b.CreateCall(llvm::FunctionType::get(
                             voidTy, {ptrTy, ptrTy, i64, i64, i64, i64, i64, i64, i32, ptrTy},
                             false),
                         field(b, exec, GpuLaunch),
                         {field(b, exec, User), f->getArg(0), f->getArg(1), f->getArg(2),
                          f->getArg(3), f->getArg(4), f->getArg(5), f->getArg(6), f->getArg(7),
                          f->getArg(9)});
            return nullptr;
          },
          [&](llvm::IRBuilder<> &b) -> llvm::Value * {
            trap(b);
            return nullptr;
          });
    if (llvm::Function *f =
            define("mgpuStreamSynchronize", llvm::FunctionType::get(voidTy, {ptrTy}, false)))
      branchOnHooks(
          f, {GpuSynchronize},
          [&](llvm::IRBuilder<> &b, llvm::Value *exec) -> llvm::Value * {
            b.CreateCall(llvm::FunctionType::get(voidTy, {ptrTy}, false),
                         field(b, exec, GpuSynchronize), {field(b, exec, User)});
            return nullptr;
          },
          [&](llvm::IRBuilder<> &) -> llvm::Value * { return nullptr; });
  }
  return error.empty() ? current : nullptr;
}
} // namespace

LogicalResult hybrid::addAbiTables(llvm::Module &m, ArrayRef<FunctionSignature> sigs,
                                   ArrayRef<std::string> kernels,
                                   const ExternalWeights *weights, StringRef weightsFileName,
                                   StringRef moduleName,
                                   StringRef producer, StringRef gpuArch,
                                   bool exportGenericQuery, std::string &error) {
  llvm::LLVMContext &ctx = m.getContext();
  for (StringRef name : {"__hybrid_parallel_for", "_mlir_memref_to_llvm_alloc",
                         "_mlir_memref_to_llvm_aligned_alloc", "_mlir_memref_to_llvm_free",
                         "__hybrid_kernel_begin", "__hybrid_kernel_end", "__hybrid_task",
                         "__hybrid_parallel_via", "__hybrid_current_exec"})
    if (llvm::GlobalValue *g = m.getNamedValue(name); g && !g->isDeclaration()) {
      error = "the module already defines '" + name.str() + "', a name the runtime ABI uses";
      return failure();
    }
  llvm::GlobalVariable *currentExec = defineRuntimeHooks(m, !gpuArch.empty(), error);
  if (!currentExec)
    return failure();
  auto *ptrTy = llvm::PointerType::getUnqual(ctx);
  auto *i32 = llvm::Type::getInt32Ty(ctx);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  // Field for field the structs of hybrid/abi.h (all pointers and 32/64-bit
  // integers, so LLVM's natural layout is the C layout).
  auto *tensorInfoTy = llvm::StructType::create(ctx, {ptrTy, i32, i32, ptrTy, ptrTy},
                                                "hybrid_abi_tensor_info");
  auto *functionTy = llvm::StructType::create(ctx, {ptrTy, i32, i32, ptrTy, ptrTy, ptrTy},
                                              "hybrid_abi_function");
  auto *moduleTy = llvm::StructType::create(
      ctx, {i32, i32, ptrTy, ptrTy, ptrTy, i32, ptrTy, ptrTy, ptrTy}, "hybrid_abi_module");
  auto *weightsTy = llvm::StructType::create(ctx, {ptrTy, ptrTy, i64, i32, ptrTy, ptrTy, ptrTy},
                                             "hybrid_abi_weights");

  auto str = [&](StringRef s) -> llvm::Constant * {
    auto *init = llvm::ConstantDataArray::getString(ctx, s);
    auto *gv = new llvm::GlobalVariable(m, init->getType(), /*isConstant=*/true,
                                        llvm::GlobalValue::PrivateLinkage, init, ".hybrid.str");
    gv->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    gv->setAlignment(llvm::Align(1));
    return gv;
  };
  auto array = [&](llvm::Type *elt, ArrayRef<llvm::Constant *> elems,
                   StringRef name) -> llvm::Constant * {
    if (elems.empty())
      return llvm::ConstantPointerNull::get(ptrTy);
    auto *type = llvm::ArrayType::get(elt, elems.size());
    return new llvm::GlobalVariable(m, type, /*isConstant=*/true,
                                    llvm::GlobalValue::PrivateLinkage,
                                    llvm::ConstantArray::get(type, elems), name);
  };
  auto tensorInfo = [&](const TensorSignature &t) -> llvm::Constant * {
    SmallVector<llvm::Constant *> dims, names;
    for (int64_t d : t.dims)
      dims.push_back(llvm::ConstantInt::get(i64, d));
    for (const std::string &n : t.dimNames)
      names.push_back(str(n));
    llvm::Constant *dimsArray;
    if (dims.empty()) {
      dimsArray = llvm::ConstantPointerNull::get(ptrTy);
    } else {
      auto *type = llvm::ArrayType::get(i64, dims.size());
      dimsArray = new llvm::GlobalVariable(m, type, true, llvm::GlobalValue::PrivateLinkage,
                                           llvm::ConstantArray::get(type, dims), ".hybrid.dims");
    }
    return llvm::ConstantStruct::get(
        tensorInfoTy, {str(t.name), llvm::ConstantInt::get(i32, t.dtype),
                       llvm::ConstantInt::get(i32, t.dims.size()), dimsArray,
                       array(ptrTy, names, ".hybrid.dim_names")});
  };

  SmallVector<llvm::Constant *> functions;
  for (const FunctionSignature &sig : sigs) {
    // The C interface MLIR emitted: (results*, input descriptors*...).
    llvm::Function *ciface = m.getFunction("_mlir_ciface_" + sig.name);
    size_t params = sig.inputs.size() + (sig.outputs.empty() ? 0 : 1);
    if (!ciface || ciface->arg_size() != params) {
      error = "entry function '" + sig.name + "' has no C interface with " +
              std::to_string(params) + " parameters after lowering";
      return failure();
    }
    // void __hybrid_invoke_<name>(void **args, const hybrid_abi_exec *exec):
    // args[0] the results, args[1 + i] input i (hybrid/abi.h). The exec is the
    // thread's for the duration of the call (restored after: a model may be
    // called from inside another's hook).
    auto *invoke = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx),
                                                                  {ptrTy, ptrTy}, false),
                                          llvm::GlobalValue::InternalLinkage,
                                          "__hybrid_invoke_" + sig.name, m);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", invoke));
    llvm::Value *saved = b.CreateLoad(ptrTy, b.CreateThreadLocalAddress(currentExec));
    b.CreateStore(invoke->getArg(1), b.CreateThreadLocalAddress(currentExec));
    SmallVector<llvm::Value *> args;
    unsigned first = sig.outputs.empty() ? 1 : 0;
    for (unsigned k = 0; k < params; ++k)
      args.push_back(b.CreateLoad(
          ptrTy, b.CreateConstInBoundsGEP1_64(ptrTy, invoke->getArg(0), k + first)));
    b.CreateCall(ciface, args);
    b.CreateStore(saved, b.CreateThreadLocalAddress(currentExec));
    b.CreateRetVoid();

    SmallVector<llvm::Constant *> ins, outs;
    for (const TensorSignature &t : sig.inputs)
      ins.push_back(tensorInfo(t));
    for (const TensorSignature &t : sig.outputs)
      outs.push_back(tensorInfo(t));
    functions.push_back(llvm::ConstantStruct::get(
        functionTy, {str(sig.name), llvm::ConstantInt::get(i32, sig.inputs.size()),
                     llvm::ConstantInt::get(i32, sig.outputs.size()),
                     array(tensorInfoTy, ins, ".hybrid.inputs"),
                     array(tensorInfoTy, outs, ".hybrid.outputs"), invoke}));
  }
  SmallVector<llvm::Constant *> kernelNames;
  for (const std::string &k : kernels)
    kernelNames.push_back(str(k));

  // The side file's description, and the slot table the code reads constants'
  // addresses from (declared by externalizeWeights; the runtime fills it).
  llvm::Constant *weightsTable = llvm::ConstantPointerNull::get(ptrTy);
  if (weights && !weights->empty()) {
    llvm::GlobalVariable *slots = m.getGlobalVariable(kWeightSlotsSymbol, true);
    if (!slots || !slots->isDeclaration()) {
      error = "the externalised weights' slot table '" + kWeightSlotsSymbol.str() +
              "' is missing from the module";
      return failure();
    }
    slots->setInitializer(llvm::Constant::getNullValue(slots->getValueType()));
    slots->setLinkage(llvm::GlobalValue::InternalLinkage);
    auto u64s = [&](ArrayRef<uint64_t> values, StringRef name) -> llvm::Constant * {
      auto *init = llvm::ConstantDataArray::get(ctx, values);
      return new llvm::GlobalVariable(m, init->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                      init, name);
    };
    SmallVector<uint64_t> sizes;
    for (ArrayRef<char> c : weights->contents)
      sizes.push_back(c.size());
    auto *idInit = llvm::ConstantDataArray::get(ctx, ArrayRef<uint8_t>(weights->id));
    auto *id = new llvm::GlobalVariable(m, idInit->getType(), true,
                                        llvm::GlobalValue::PrivateLinkage, idInit, ".hybrid.weights_id");
    weightsTable = new llvm::GlobalVariable(
        m, weightsTy, true, llvm::GlobalValue::PrivateLinkage,
        llvm::ConstantStruct::get(
            weightsTy, {str(weightsFileName), id, llvm::ConstantInt::get(i64, weights->fileBytes),
                        llvm::ConstantInt::get(i32, weights->offsets.size()),
                        u64s(weights->offsets, ".hybrid.weights_offsets"),
                        u64s(sizes, ".hybrid.weights_sizes"), slots}),
        ".hybrid.weights");
  }
  auto *table = new llvm::GlobalVariable(
      m, moduleTy, true, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantStruct::get(moduleTy,
                                {llvm::ConstantInt::get(i32, HYBRID_ABI_VERSION),
                                 llvm::ConstantInt::get(i32, functions.size()),
                                 array(functionTy, functions, ".hybrid.functions"),
                                 str(moduleName), str(producer),
                                 llvm::ConstantInt::get(i32, kernels.size()),
                                 array(ptrTy, kernelNames, ".hybrid.kernels"),
                                 weightsTable,
                                 gpuArch.empty() ? static_cast<llvm::Constant *>(
                                                       llvm::ConstantPointerNull::get(ptrTy))
                                                 : str(gpuArch)}),
      ".hybrid.module");

  // Everything the model defines becomes internal: a library exports its query
  // functions and nothing else, so two models (or a model and a program with
  // its own `main`) never interpose on each other's symbols.
  for (llvm::Function &f : m.functions())
    if (!f.isDeclaration())
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  for (llvm::GlobalVariable &g : m.globals())
    if (!g.isDeclaration() && !g.getName().starts_with("llvm."))
      g.setLinkage(llvm::GlobalValue::InternalLinkage);

  SmallVector<std::string> queryNames = {cIdentifier(moduleName) + "_module_query"};
  if (exportGenericQuery)
    queryNames.push_back("hybrid_module_query");
  for (const std::string &name : queryNames) {
    if (m.getNamedValue(name)) {
      error = "the module already defines '" + name + "'";
      return failure();
    }
    auto *query = llvm::Function::Create(llvm::FunctionType::get(ptrTy, {}, false),
                                         llvm::GlobalValue::ExternalLinkage, name, m);
    query->setVisibility(llvm::GlobalValue::DefaultVisibility);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", query));
    b.CreateRet(table);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// The C header
//===----------------------------------------------------------------------===//

static std::string shapeString(const hybrid::TensorSignature &t) {
  SmallVector<const char *> names;
  for (const std::string &n : t.dimNames)
    names.push_back(n.c_str());
  char buf[1024];
  return hybrid_shape_string(buf, sizeof buf, static_cast<int32_t>(t.dims.size()),
                             t.dims.data(), names.empty() ? nullptr : names.data());
}

std::string hybrid::generateCpuHeader(ArrayRef<FunctionSignature> sigs, StringRef moduleName,
                                      StringRef source, StringRef weightsFileName) {
  std::string id = cIdentifier(moduleName);
  std::string upper = StringRef(id).upper();
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "/* " << id << ".h: the entry points of the Hybrid-compiled library '" << moduleName
     << "'.\n"
     << " * Generated by hybrid-opt from " << (source.empty() ? "<stdin>" : source)
     << "; do not edit.\n"
     << " *\n"
     << " * Call it through the runtime (runtime/include/hybrid/runtime.h):\n"
     << " *   hybrid_module_t *m;\n"
     << " *   hybrid_module_wrap(" << id << "_module_query(), &m);   (linked in)\n"
     << " *   hybrid_module_load(\"path/to/" << moduleName << ".so\", &m); (or loaded)\n"
     << " *   const hybrid_abi_function *fn;\n"
     << " *   hybrid_module_function(m, \"<function>\", &fn);\n"
     << " *   hybrid_call(m, fn, inputs, num_inputs, outputs, num_outputs);\n"
     << " * Shapes: a number is fixed; a name is a symbolic dim that must agree\n"
     << " * wherever it appears; ? is free. Inputs and outputs are dense, row-major.\n";
  if (!weightsFileName.empty())
    os << " *\n"
       << " * The weights are in the side file '" << weightsFileName
       << "', which the runtime memory-maps:\n"
       << " * hybrid_module_load finds it next to the library; a linked-in library\n"
       << " * needs hybrid_module_wrap_ex with hybrid_module_options_t.weights_path.\n";
  os << " */\n"
     << "#ifndef HYBRID_MODEL_" << upper << "_H\n"
     << "#define HYBRID_MODEL_" << upper << "_H\n\n"
     << "#include \"hybrid/runtime.h\"\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* The library's signature table (hybrid/abi.h). */\n"
     << "const hybrid_abi_module *" << id << "_module_query(void);\n";
  for (const FunctionSignature &sig : sigs) {
    std::string fn = StringRef(cIdentifier(sig.name)).upper();
    os << "\n/* Function \"" << sig.name << "\".\n";
    auto list = [&](StringRef title, ArrayRef<TensorSignature> ts) {
      os << " *   " << title << ":\n";
      size_t width = 0;
      for (const TensorSignature &t : ts)
        width = std::max(width, t.name.size());
      for (auto [i, t] : llvm::enumerate(ts))
        os << " *     " << llvm::format("%2u", static_cast<unsigned>(i)) << "  "
           << llvm::left_justify(t.name, width) << "  "
           << llvm::left_justify(hybrid_dtype_name(t.dtype), 8) << " " << shapeString(t) << "\n";
    };
    list("inputs", sig.inputs);
    list("outputs", sig.outputs);
    os << " */\n";
    os << "#define " << upper << "_" << fn << "_NAME \"" << sig.name << "\"\n";
    os << "enum {\n";
    os << "  " << upper << "_" << fn << "_NUM_INPUTS = " << sig.inputs.size() << ",\n";
    os << "  " << upper << "_" << fn << "_NUM_OUTPUTS = " << sig.outputs.size() << ",\n";
    // Index constants; names that collide after sanitising keep the first.
    llvm::StringSet<> seen;
    auto indices = [&](StringRef kind, ArrayRef<TensorSignature> ts) {
      for (auto [i, t] : llvm::enumerate(ts)) {
        std::string c = upper + "_" + fn + "_" + kind.str() + "_" +
                        StringRef(cIdentifier(t.name)).upper();
        if (seen.insert(c).second)
          os << "  " << c << " = " << i << ",\n";
      }
    };
    indices("IN", sig.inputs);
    indices("OUT", sig.outputs);
    os << "};\n";
  }
  os << "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* HYBRID_MODEL_" << upper << "_H */\n";
  return out;
}
