/*
 * Reset and vector table shared by every target. The emulator loads .data and
 * zeroes .bss itself (it sets up the same state Reset_Handler would), so this code
 * is what a real chip runs and what the flash figure counts, not what the harness
 * needs to call.
 */
#include <stdint.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

void Reset_Handler(void);
void Default_Handler(void);

__attribute__((noreturn)) void Reset_Handler(void)
{
    uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;)
        *dst++ = 0;
    main();
    for (;;)
        __asm__ volatile("wfi");
}

/* Not declared noreturn: the weak aliases below would then each need the attribute
   (-Wmissing-attributes), and a firmware's own handlers return. It never returns anyway. */
void Default_Handler(void)
{
    for (;;)
        __asm__ volatile("bkpt #0");
}

/* The core exception handlers, CMSIS names: firmware defines the ones it uses. */
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

/* Cortex-M0+ core vectors: initial SP, reset, NMI, HardFault, 7 reserved, SVCall,
   2 reserved, PendSV, SysTick. Device IRQs are added by the firmware that uses them. */
__attribute__((used, section(".vectors")))
const void *const mcubench_vectors[16] = {
    &_estack, Reset_Handler, NMI_Handler, HardFault_Handler,
    0, 0, 0, 0, 0, 0, 0, SVC_Handler, 0, 0, PendSV_Handler, SysTick_Handler,
};
