import { JobManager } from '@jobservice/core';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import { SendWelcome } from './send-welcome.job.js';

/** `POST /welcome { "name": "Ada" }` enqueues; `GET /welcome/:id` reads the job back. */
@Controller('welcome')
export class WelcomeController {
  constructor(private readonly jobs: JobManager) {}

  @Post()
  @HttpCode(202)
  async enqueue(@Body() body: { name?: unknown }): Promise<{ id: string }> {
    if (typeof body?.name !== 'string' || body.name.length === 0) {
      throw new BadRequestException('body must be { "name": "…" }');
    }
    const { id } = await this.jobs.enqueue(SendWelcome, { name: body.name });
    console.log(`[http] POST /welcome enqueued job ${id} for ${body.name}`);
    return { id };
  }

  @Get(':id')
  async status(@Param('id') id: string) {
    const job = await this.jobs.get(id);
    if (!job) throw new NotFoundException(`job ${id} was not found`);
    return { id: job.id, status: job.status, attempt: job.attempt, result: job.result ?? null };
  }
}
