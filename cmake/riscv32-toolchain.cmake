# cmake/riscv32-toolchain.cmake - bare-metal RV32IMAC (ESP32-C6-like cores)
# with Debian's riscv64-unknown-elf-gcc (package gcc-riscv64-unknown-elf).
#
#   cmake -S . -B build-riscv -DCMAKE_TOOLCHAIN_FILE=cmake/riscv32-toolchain.cmake
#
# builds the library alone (core + ports/env/baremetal); with
# -DESP_AMP_PLATFORM_PORT=riscv-virt also the QEMU firmware. No C library
# is used: the core needs only the compiler's freestanding headers.

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)

set(RISCV_TOOLCHAIN_PREFIX riscv64-unknown-elf- CACHE STRING "Cross tool prefix")
find_program(RISCV_GCC ${RISCV_TOOLCHAIN_PREFIX}gcc)
if(NOT RISCV_GCC)
  message(FATAL_ERROR "${RISCV_TOOLCHAIN_PREFIX}gcc not found (scripts/install-deps.sh target)")
endif()
set(CMAKE_C_COMPILER ${RISCV_GCC})
set(CMAKE_ASM_COMPILER ${RISCV_GCC})
find_program(CMAKE_SIZE ${RISCV_TOOLCHAIN_PREFIX}size)
find_program(CMAKE_AR ${RISCV_TOOLCHAIN_PREFIX}ar)
find_program(CMAKE_RANLIB ${RISCV_TOOLCHAIN_PREFIX}ranlib)

# Nothing can be linked before the port's startup code exists.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

set(RISCV_ARCH_FLAGS "-march=rv32imac_zicsr -mabi=ilp32")
set(RISCV_COMMON_FLAGS
    "${RISCV_ARCH_FLAGS} -ffreestanding -ffunction-sections -fdata-sections -fno-common -Wall -Wextra -Werror")

set(CMAKE_C_FLAGS_INIT "${RISCV_COMMON_FLAGS} -Os")
set(CMAKE_ASM_FLAGS_INIT "${RISCV_ARCH_FLAGS}")
# Whatever CMAKE_BUILD_TYPE is chosen, optimise for size (as ESP-IDF's
# default for the LP core); Debug only adds symbols.
set(CMAKE_C_FLAGS_DEBUG_INIT "-Os -g")
set(CMAKE_C_FLAGS_RELEASE_INIT "-Os -DNDEBUG")
set(CMAKE_C_FLAGS_MINSIZEREL_INIT "-Os -DNDEBUG")
set(CMAKE_C_FLAGS_RELWITHDEBINFO_INIT "-Os -g -DNDEBUG")

set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -nostartfiles -Wl,--gc-sections")

# libgcc for exactly this ABI: the driver's multilib matching does not know
# "_zicsr", so ask for the rv32imac/ilp32 multilib explicitly.
execute_process(
    COMMAND ${CMAKE_C_COMPILER} -march=rv32imac -mabi=ilp32 -print-libgcc-file-name
    OUTPUT_VARIABLE RISCV_LIBGCC
    OUTPUT_STRIP_TRAILING_WHITESPACE)
set(RISCV_LIBGCC "${RISCV_LIBGCC}" CACHE FILEPATH "libgcc.a for rv32imac/ilp32")
